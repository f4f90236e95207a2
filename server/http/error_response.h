// The one place a Status becomes an HTTP response (Spec: client-server-api,
// "Standard error response"): {"errcode": ..., "error": ...} with the HTTP
// status the error carries. Internal errors are logged here and shown to the
// client only as "Internal server error".
#ifndef MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_
#define MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_

#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "server/http/message.h"

namespace myelin::http {

Response ErrorResponse(const absl::Status& status);

// Adds fields to the JSON body ErrorResponse renders for `status`, beside
// errcode and error (which `fields` cannot override): `soft_logout` on
// M_UNKNOWN_TOKEN, the user-interactive auth state (flows, params, session,
// completed) on a failed UIA stage. Spec: client-server-api, "Soft logout",
// "User-interactive authentication API".
absl::Status WithErrorFields(absl::Status status,
                             const boost::json::object& fields);

// A non-OK status whose response body is exactly `fields`, without errcode:
// the first UIA challenge (401 with flows and session) is not an error.
absl::Status BareErrorBody(int http_status, const boost::json::object& fields);

}  // namespace myelin::http

#endif  // MYELIN_SERVER_HTTP_ERROR_RESPONSE_H_
