#include "storage/rocks_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"

namespace myelin::storage {
namespace {

absl::StatusCode CodeOf(const rocksdb::Status& status) {
  using C = rocksdb::Status::Code;
  switch (status.code()) {
    case C::kOk:
      return absl::StatusCode::kOk;
    case C::kNotFound:
      return absl::StatusCode::kNotFound;
    case C::kCorruption:
      return absl::StatusCode::kDataLoss;
    case C::kNotSupported:
      return absl::StatusCode::kUnimplemented;
    case C::kInvalidArgument:
      return absl::StatusCode::kInvalidArgument;
    case C::kBusy:
    case C::kTryAgain:
      return absl::StatusCode::kUnavailable;
    case C::kTimedOut:
      return absl::StatusCode::kDeadlineExceeded;
    case C::kAborted:
      return absl::StatusCode::kAborted;
    case C::kIncomplete:
      // Also what a read returns when the strict block cache is full.
      return absl::StatusCode::kResourceExhausted;
    case C::kShutdownInProgress:
    case C::kColumnFamilyDropped:
      return absl::StatusCode::kCancelled;
    default:
      return absl::StatusCode::kInternal;
  }
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& status,
                       std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  if (status.subcode() == rocksdb::Status::kMemoryLimit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("rocksdb ", AV(context), ": ", status.ToString()));
  }
  return absl::Status(CodeOf(status), absl::StrCat("rocksdb ", AV(context),
                                                   ": ", status.ToString()));
}

bool IsLockHeld(const rocksdb::Status& status) {
  // There is no dedicated code. Another process: "IO error: While lock file:
  // <dir>/LOCK: Resource temporarily unavailable"; this process: "IO error:
  // lock hold by current process, ...: <dir>/LOCK: No locks available".
  return status.IsIOError() &&
         status.ToString().find("/LOCK:") != std::string::npos;
}

}  // namespace myelin::storage
