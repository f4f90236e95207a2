#include "storage/database_info.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "absl/strings/str_cat.h"
#include "storage/database_info.capnp.h"

namespace myelin::storage {

std::string EncodeDatabaseInfo(const DatabaseInfo& info) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::DatabaseInfo>();
  root.setServerName(info.server_name);
  root.setCreatedAtMs(info.created_at_ms);
  root.setCreatedSchemaVersion(info.created_schema_version);
  root.setCreatedBy(info.created_by);
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()),
                     bytes.size());
}

absl::StatusOr<DatabaseInfo> DecodeDatabaseInfo(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return absl::DataLossError(absl::StrCat("database info: ", bytes.size(),
                                            " bytes is not a capnp message"));
  }
  // Values from RocksDB are not word-aligned; the reader needs alignment.
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  // Cap'n Proto reports malformed input with kj::Exception; it must not
  // escape storage/.
  try {
    capnp::FlatArrayMessageReader reader(words);
    auto root = reader.getRoot<schema::DatabaseInfo>();
    DatabaseInfo info;
    info.server_name = root.getServerName().cStr();
    info.created_at_ms = root.getCreatedAtMs();
    info.created_schema_version = root.getCreatedSchemaVersion();
    info.created_by = root.getCreatedBy().cStr();
    return info;
  } catch (const kj::Exception& e) {
    return absl::DataLossError(
        absl::StrCat("database info: ", e.getDescription().cStr()));
  }
}

}  // namespace myelin::storage
