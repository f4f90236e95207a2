// The database-info record of the `meta` column family, and its Cap'n Proto
// encoding (storage/database_info.capnp).
#ifndef MYELIN_STORAGE_DATABASE_INFO_H_
#define MYELIN_STORAGE_DATABASE_INFO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::storage {

struct DatabaseInfo {
  std::string server_name;
  int64_t created_at_ms = 0;
  uint64_t created_schema_version = 0;
  std::string created_by;

  bool operator==(const DatabaseInfo&) const = default;
};

// A single-segment Cap'n Proto message without framing, as stored.
std::string EncodeDatabaseInfo(const DatabaseInfo& info);

// DataLoss if `bytes` is not a valid message (the value came from disk).
absl::StatusOr<DatabaseInfo> DecodeDatabaseInfo(std::string_view bytes);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_DATABASE_INFO_H_
