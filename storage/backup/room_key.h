// One backed-up room key (Spec: client-server-api, "Server-side key
// backups", KeyBackupData): how a request's JSON becomes one, how it is
// stored, and which of two keys for the same session the server keeps.
//
// Pure functions; thread-safe.
#ifndef MYELIN_STORAGE_BACKUP_ROOM_KEY_H_
#define MYELIN_STORAGE_BACKUP_ROOM_KEY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/value.hpp"

namespace myelin::storage {

struct RoomKey {
  int64_t first_message_index = 0;
  int64_t forwarded_count = 0;
  bool is_verified = false;
  // The algorithm-dependent session_data object, as canonical JSON. The
  // server never looks inside it.
  std::string session_data;
};

// Reads a KeyBackupData object from a request. Every field is required;
// the counters are integers in [0, 2^53-1]. Errors: 400 M_BAD_JSON naming
// the field.
absl::StatusOr<RoomKey> ParseRoomKey(const boost::json::value& json);

// The stored (and served) form: KeyBackupData as canonical JSON.
// REQUIRES: key.session_data is a canonical JSON object.
std::string EncodeRoomKey(const RoomKey& key);
// The inverse; DataLoss for bytes EncodeRoomKey did not write.
absl::StatusOr<RoomKey> DecodeRoomKey(std::string_view json);

// Spec: when a session already has a key, the server keeps the verified
// one; at equal verification, the one with the lower first_message_index;
// at equal index too, the one with the lower forwarded_count. True when
// `candidate` wins over `existing`; ties keep the existing key.
bool ShouldReplace(const RoomKey& existing, const RoomKey& candidate);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_BACKUP_ROOM_KEY_H_
