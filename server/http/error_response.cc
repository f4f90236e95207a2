#include "server/http/error_response.h"

#include "boost/json/object.hpp"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"

namespace myelin::http {
namespace {

// Payloads holding a serialized JSON object; private to this file.
constexpr absl::string_view kFieldsUrl = "type.myelin/error-fields";
constexpr absl::string_view kBareUrl = "type.myelin/bare-error-body";

boost::json::object FieldsOf(const absl::Status& status,
                             absl::string_view url) {
  absl::optional<absl::Cord> payload = status.GetPayload(url);
  if (!payload.has_value()) return {};
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(std::string(*payload), ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.get_object());
}

}  // namespace

absl::Status WithErrorFields(absl::Status status,
                             const boost::json::object& fields) {
  status.SetPayload(kFieldsUrl, absl::Cord(boost::json::serialize(fields)));
  return status;
}

absl::Status BareErrorBody(int http_status, const boost::json::object& fields) {
  absl::Status status = MatrixError(http_status, errcode::kUnauthorized, "");
  status.SetPayload(kBareUrl, absl::Cord(boost::json::serialize(fields)));
  return status;
}

Response ErrorResponse(const absl::Status& status) {
  MatrixErrorView error = MatrixErrorOf(status);
  if (error.internal) {
    MLOG(ERROR) << "internal error: " << status.ToString();
  }
  if (status.GetPayload(kBareUrl).has_value()) {
    return Response::Json(boost::json::serialize(FieldsOf(status, kBareUrl)),
                          error.http_status);
  }
  boost::json::object body = FieldsOf(status, kFieldsUrl);
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
