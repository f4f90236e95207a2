// Keys of the `meta` column family: one row per MetaRow, key = Key<uint8_t>.
// storage/FORMAT.md documents each row's value.
#ifndef MYELIN_STORAGE_KEYS_META_KEYS_H_
#define MYELIN_STORAGE_KEYS_META_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// The values reach disk as the single key byte: do not change them, and do
// not reuse a retired one.
enum class MetaRow : uint8_t {
  // Value: u64 (big-endian), the schema version of the data in this DB.
  kSchemaVersion = 1,
  // Value: Cap'n Proto DatabaseInfo (storage/database_info.capnp).
  kDatabaseInfo = 2,
  // Value: u64 (big-endian), the last account-data stream position
  // (storage/accountdata); written in the batch of each change.
  kAccountDataStream = 3,
  // Value: u64 (big-endian), the last receipt stream position
  // (storage/receipts).
  kReceiptStream = 4,
  // Value: u64 (big-endian), the last to-device stream position
  // (storage/todevice).
  kToDeviceStream = 5,
  // Value: u64 (big-endian), the last device-list stream position
  // (storage/e2ee); written in the batch of each change.
  kDeviceListStream = 6,
  // Value: u64 (big-endian), the last media blob id handed out
  // (storage/media); written when a blob id is allocated.
  kMediaBlobId = 14,
};

using MetaKey = Key<uint8_t>;

inline std::string EncodeMetaKey(MetaRow row) {
  return MetaKey::Encode(static_cast<uint8_t>(row));
}

// Fixed-width big-endian u64 values (the schema version) share the key
// encoding, so a value is readable with the same codec.
using U64Value = Key<uint64_t>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_META_KEYS_H_
