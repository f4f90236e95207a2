#include "server/http/error_response.h"

#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"

namespace myelin::http {

Response ErrorResponse(const absl::Status& status) {
  MatrixErrorView error = MatrixErrorOf(status);
  if (error.internal) {
    MLOG(ERROR) << "internal error: " << status.ToString();
  }
  boost::json::object body;
  body["errcode"] = error.errcode;
  body["error"] = error.message;
  if (error.retry_after_ms.has_value()) {
    body["retry_after_ms"] = *error.retry_after_ms;
  }
  Response response = Response::Json(boost::json::serialize(body),
                                     error.http_status);
  if (error.retry_after_ms.has_value()) {
    // Spec v1.10+: Retry-After accompanies M_LIMIT_EXCEEDED, in seconds.
    response.headers.emplace_back(
        "Retry-After", std::to_string((*error.retry_after_ms + 999) / 1000));
  }
  return response;
}

}  // namespace myelin::http
