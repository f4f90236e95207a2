// Converts rocksdb::Status, which is not [[nodiscard]], into absl::Status,
// which is: every RocksDB call in storage/ goes through FromRocks() so a
// failure cannot be dropped silently.
#ifndef MYELIN_STORAGE_ROCKS_STATUS_H_
#define MYELIN_STORAGE_ROCKS_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace myelin::storage {

// Maps the RocksDB code onto the closest absl code (Corruption -> DataLoss,
// Busy/TryAgain -> Unavailable, IOError -> Internal, ...) and prefixes the
// message with `context` ("write", "open /var/lib/myelin").
absl::Status FromRocks(const rocksdb::Status& status, std::string_view context);

// True for the IOError RocksDB returns when another process holds the
// database's LOCK file (a running server).
bool IsLockHeld(const rocksdb::Status& status);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ROCKS_STATUS_H_
