// Keys of the server-side key backup families (storage/FORMAT.md,
// "Key backups"). Spec: client-server-api, "Server-side key backups".
#ifndef MYELIN_STORAGE_KEYS_BACKUP_KEYS_H_
#define MYELIN_STORAGE_KEYS_BACKUP_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `userid_backupversion`: (user id, backup version). Versions count up
// from 1 per user; a prefix scan on the user id lists them in order, so the
// last key of the prefix is the highest version ever created.
using BackupVersionKey = Key<std::string, uint64_t>;

// `backupsession_roomkey`: (user id, backup version, room id, session id).
// Prefixes select one version's keys, or one room's keys in that version.
using BackupRoomKeyKey = Key<std::string, uint64_t, std::string, std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_BACKUP_KEYS_H_
