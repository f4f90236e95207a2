// The one place a Status becomes an HTTP response (Spec: client-server-api,
// "Standard error response"): {"errcode": ..., "error": ...} with the HTTP
// status the error carries. Internal errors are logged here and shown to the
// client only as "Internal server error".
#ifndef MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_
#define MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_

#include "absl/status/status.h"
#include "server/http/message.h"

namespace myelin::http {

Response ErrorResponse(const absl::Status& status);

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_
