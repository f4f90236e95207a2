// Matrix errors carried on absl::Status.
//
// A Matrix error has an errcode ("M_FORBIDDEN"), a human-readable message and
// an HTTP status (Spec: client-server-api, "Standard error response"). The
// errcode and HTTP status ride on the Status as a payload, so any layer can
// return one and exactly one function (server/http) renders it.
//
// Statuses without the payload are mapped from their absl code by
// MatrixErrorOf(); internal errors never leak their message to clients.
#ifndef MYELIN_DAG_BASE_MATRIX_ERROR_H_
#define MYELIN_DAG_BASE_MATRIX_ERROR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace myelin {

// The errcodes Myelin uses. Spec: client-server-api, "Common error codes"
// and "Other error codes".
namespace errcode {
inline constexpr std::string_view kForbidden = "M_FORBIDDEN";
inline constexpr std::string_view kUnknownToken = "M_UNKNOWN_TOKEN";
inline constexpr std::string_view kMissingToken = "M_MISSING_TOKEN";
inline constexpr std::string_view kUserLocked = "M_USER_LOCKED";
inline constexpr std::string_view kBadJson = "M_BAD_JSON";
inline constexpr std::string_view kNotJson = "M_NOT_JSON";
inline constexpr std::string_view kNotFound = "M_NOT_FOUND";
inline constexpr std::string_view kLimitExceeded = "M_LIMIT_EXCEEDED";
inline constexpr std::string_view kUnrecognized = "M_UNRECOGNIZED";
inline constexpr std::string_view kUnknown = "M_UNKNOWN";
inline constexpr std::string_view kUnauthorized = "M_UNAUTHORIZED";
inline constexpr std::string_view kUserDeactivated = "M_USER_DEACTIVATED";
inline constexpr std::string_view kUserInUse = "M_USER_IN_USE";
inline constexpr std::string_view kInvalidUsername = "M_INVALID_USERNAME";
inline constexpr std::string_view kRoomInUse = "M_ROOM_IN_USE";
inline constexpr std::string_view kInvalidRoomState = "M_INVALID_ROOM_STATE";
inline constexpr std::string_view kUnsupportedRoomVersion =
    "M_UNSUPPORTED_ROOM_VERSION";
inline constexpr std::string_view kIncompatibleRoomVersion =
    "M_INCOMPATIBLE_ROOM_VERSION";
inline constexpr std::string_view kBadState = "M_BAD_STATE";
inline constexpr std::string_view kGuestAccessForbidden =
    "M_GUEST_ACCESS_FORBIDDEN";
inline constexpr std::string_view kMissingParam = "M_MISSING_PARAM";
inline constexpr std::string_view kInvalidParam = "M_INVALID_PARAM";
inline constexpr std::string_view kTooLarge = "M_TOO_LARGE";
inline constexpr std::string_view kExclusive = "M_EXCLUSIVE";
inline constexpr std::string_view kResourceLimitExceeded =
    "M_RESOURCE_LIMIT_EXCEEDED";
inline constexpr std::string_view kCannotLeaveServerNoticeRoom =
    "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM";
inline constexpr std::string_view kNotYetUploaded = "M_NOT_YET_UPLOADED";
inline constexpr std::string_view kCannotOverwriteMedia =
    "M_CANNOT_OVERWRITE_MEDIA";
// Spec: key_backup.yaml, 403 on uploads to a backup version that is not
// the current one (the body carries `current_version`).
inline constexpr std::string_view kWrongRoomKeysVersion =
    "M_WRONG_ROOM_KEYS_VERSION";
// Spec: cross_signing.yaml — a key or signature that does not verify.
inline constexpr std::string_view kInvalidSignature = "M_INVALID_SIGNATURE";
}  // namespace errcode

// Builds a Status carrying `code` and `http_status`. The absl code is derived
// from the HTTP status so generic code (retries, logs) still reads sensibly.
absl::Status MatrixError(int http_status, std::string_view code,
                         std::string_view message);

// Adds `retry_after_ms` to a 429 M_LIMIT_EXCEEDED error.
absl::Status LimitExceeded(std::string_view message, int64_t retry_after_ms);

// Shorthands for the common cases.
absl::Status Forbidden(std::string_view message);
absl::Status NotFound(std::string_view message);
absl::Status BadJson(std::string_view message);
absl::Status NotJson(std::string_view message);
absl::Status InvalidParam(std::string_view message);
absl::Status MissingParam(std::string_view message);
absl::Status Unrecognized(std::string_view message);
absl::Status TooLarge(std::string_view message);
absl::Status UnknownToken(std::string_view message);
absl::Status MissingToken(std::string_view message);

// What a client is shown for a Status.
struct MatrixErrorView {
  int http_status = 500;
  std::string errcode;
  std::string message;
  std::optional<int64_t> retry_after_ms;
  // True when the status was not a Matrix error; its message was replaced and
  // the original should be logged, not sent.
  bool internal = false;
};

// Maps any non-OK Status to the Matrix error a client sees. Statuses without
// a Matrix payload map from their absl code (NotFound -> 404 M_NOT_FOUND,
// InvalidArgument -> 400 M_INVALID_PARAM, PermissionDenied -> 403
// M_FORBIDDEN, ...); anything else is 500 M_UNKNOWN with a generic message.
MatrixErrorView MatrixErrorOf(const absl::Status& status);

// The errcode of a Status, or "" when it carries none. For tests and logs.
std::string ErrcodeOf(const absl::Status& status);

}  // namespace myelin

#endif  // MYELIN_DAG_BASE_MATRIX_ERROR_H_
