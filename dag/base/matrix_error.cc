#include "dag/base/matrix_error.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dag/base/strings.h"

namespace myelin {
namespace {

// Payload layout: "<errcode> <http status>[ <retry_after_ms>]". Private to
// this file; only MatrixError() writes it and MatrixErrorOf() reads it.
constexpr absl::string_view kPayloadUrl = "type.myelin/matrix-error";

absl::StatusCode AbslCodeFor(int http_status) {
  switch (http_status) {
    case 400: return absl::StatusCode::kInvalidArgument;
    case 401: return absl::StatusCode::kUnauthenticated;
    case 403: return absl::StatusCode::kPermissionDenied;
    case 404: return absl::StatusCode::kNotFound;
    case 405: return absl::StatusCode::kUnimplemented;
    case 409: return absl::StatusCode::kAlreadyExists;
    case 413: return absl::StatusCode::kOutOfRange;
    case 429: return absl::StatusCode::kResourceExhausted;
    case 502:
    case 503:
    case 504: return absl::StatusCode::kUnavailable;
    default:
      return http_status >= 500 ? absl::StatusCode::kInternal
                                : absl::StatusCode::kFailedPrecondition;
  }
}

MatrixErrorView FromAbslCode(const absl::Status& status) {
  MatrixErrorView view;
  view.message = std::string(status.message());
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      view.http_status = 404;
      view.errcode = errcode::kNotFound;
      return view;
    case absl::StatusCode::kInvalidArgument:
      view.http_status = 400;
      view.errcode = errcode::kInvalidParam;
      return view;
    case absl::StatusCode::kPermissionDenied:
      view.http_status = 403;
      view.errcode = errcode::kForbidden;
      return view;
    case absl::StatusCode::kUnauthenticated:
      view.http_status = 401;
      view.errcode = errcode::kUnknownToken;
      return view;
    case absl::StatusCode::kResourceExhausted:
      view.http_status = 429;
      view.errcode = errcode::kLimitExceeded;
      return view;
    default:
      view.http_status = 500;
      view.errcode = errcode::kUnknown;
      view.message = "Internal server error";
      view.internal = true;
      return view;
  }
}

}  // namespace

absl::Status MatrixError(int http_status, std::string_view code,
                         std::string_view message) {
  absl::Status status(AbslCodeFor(http_status), AV(message));
  status.SetPayload(kPayloadUrl,
                    absl::Cord(absl::StrCat(AV(code), " ", http_status)));
  return status;
}

absl::Status LimitExceeded(std::string_view message, int64_t retry_after_ms) {
  absl::Status status(absl::StatusCode::kResourceExhausted, AV(message));
  status.SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(
                                     AV(errcode::kLimitExceeded), " 429 ",
                                     retry_after_ms)));
  return status;
}

absl::Status Forbidden(std::string_view m) {
  return MatrixError(403, errcode::kForbidden, m);
}
absl::Status NotFound(std::string_view m) {
  return MatrixError(404, errcode::kNotFound, m);
}
absl::Status BadJson(std::string_view m) {
  return MatrixError(400, errcode::kBadJson, m);
}
absl::Status NotJson(std::string_view m) {
  return MatrixError(400, errcode::kNotJson, m);
}
absl::Status InvalidParam(std::string_view m) {
  return MatrixError(400, errcode::kInvalidParam, m);
}
absl::Status MissingParam(std::string_view m) {
  return MatrixError(400, errcode::kMissingParam, m);
}
absl::Status Unrecognized(std::string_view m) {
  return MatrixError(404, errcode::kUnrecognized, m);
}
absl::Status TooLarge(std::string_view m) {
  return MatrixError(413, errcode::kTooLarge, m);
}
absl::Status UnknownToken(std::string_view m) {
  return MatrixError(401, errcode::kUnknownToken, m);
}
absl::Status MissingToken(std::string_view m) {
  return MatrixError(401, errcode::kMissingToken, m);
}

MatrixErrorView MatrixErrorOf(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  if (!payload.has_value()) return FromAbslCode(status);
  std::vector<std::string> parts =
      absl::StrSplit(std::string(*payload), ' ', absl::SkipEmpty());
  MatrixErrorView view;
  int http_status = 0;
  if (parts.size() < 2 || !absl::SimpleAtoi(parts[1], &http_status)) {
    return FromAbslCode(status);
  }
  view.http_status = http_status;
  view.errcode = parts[0];
  view.message = std::string(status.message());
  int64_t retry = 0;
  if (parts.size() >= 3 && absl::SimpleAtoi(parts[2], &retry)) {
    view.retry_after_ms = retry;
  }
  return view;
}

std::string ErrcodeOf(const absl::Status& status) {
  if (status.ok()) return "";
  return MatrixErrorOf(status).errcode;
}

}  // namespace myelin
