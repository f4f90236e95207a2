// Server-side key backups (Spec: client-server-api, "Server-side key
// backups"): each user has numbered backup versions, and each version holds
// at most one room key per (room, session).
//
// Versions count up from 1 per user and are never reused: deleting one
// keeps a tombstone row. The *current* version is the highest one not
// deleted; keys can only be uploaded to it, but read and deleted from any
// live version. Every version keeps `count` (its keys) and `etag` (changes
// whenever its keys change) in its own row, written in the batch of each
// change to its keys, so they never disagree with the keys.
//
// Thread-safe: changes to one user's backups are serialised (striped locks
// by user id); reads never block. The Engine must outlive the store.
#ifndef MYELIN_STORAGE_BACKUP_BACKUP_STORE_H_
#define MYELIN_STORAGE_BACKUP_BACKUP_STORE_H_

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/backup/room_key.h"
#include "storage/engine.h"

namespace myelin::storage {

struct BackupVersion {
  uint64_t version = 0;
  std::string algorithm;
  std::string auth_data;  // canonical JSON object
  uint64_t etag = 0;
  uint64_t count = 0;
};

// A version's `etag` and `count` after a change to its keys.
struct KeyCounts {
  uint64_t etag = 0;
  uint64_t count = 0;
};

// One key of an upload.
struct SessionKey {
  std::string room_id;
  std::string session_id;
  RoomKey key;
};

// One stored key, as served: `json` is KeyBackupData as canonical JSON.
struct StoredKey {
  std::string room_id;
  std::string session_id;
  std::string json;
};

// Which keys of a version a read or delete concerns: every key (both
// empty), one room's (room_id set) or one session's (both set).
struct KeyScope {
  std::string room_id;
  std::string session_id;
};

struct PutKeysResult {
  // False when the upload named a version that is not the current one:
  // nothing was written, and current_version says which one is.
  bool accepted = false;
  uint64_t current_version = 0;
  KeyCounts counts;  // When accepted.
};

class BackupStore {
 public:
  explicit BackupStore(Engine* engine) : engine_(engine) {}

  // Creates the user's next version, which becomes the current one.
  // `auth_data` is a canonical JSON object.
  absl::StatusOr<uint64_t> CreateVersion(std::string_view user_id,
                                         std::string_view algorithm,
                                         std::string_view auth_data);

  // The version; nullopt when it was never created or is deleted.
  absl::StatusOr<std::optional<BackupVersion>> GetVersion(
      std::string_view user_id, uint64_t version) const;
  // The highest version not deleted; nullopt when there is none.
  absl::StatusOr<std::optional<BackupVersion>> CurrentVersion(
      std::string_view user_id) const;

  // Replaces the version's auth_data (only that can change). Errors:
  // NotFound (unknown or deleted version), InvalidArgument (`algorithm`
  // differs from the version's).
  absl::Status UpdateVersion(std::string_view user_id, uint64_t version,
                             std::string_view algorithm,
                             std::string_view auth_data);

  // Deletes the version and all its keys in one batch. Deleting a deleted
  // version succeeds; NotFound for a version never created.
  absl::Status DeleteVersion(std::string_view user_id, uint64_t version);

  // Stores `keys` in `version` in one batch, each unless the session
  // already has a key that wins over it (ShouldReplace). The etag changes
  // when any key was written. NotFound when the user has no live version.
  absl::StatusOr<PutKeysResult> PutKeys(std::string_view user_id,
                                        uint64_t version,
                                        const std::vector<SessionKey>& keys);

  // The keys in `scope`, ordered by room then session. NotFound for an
  // unknown or deleted version; an empty result otherwise.
  absl::StatusOr<std::vector<StoredKey>> GetKeys(std::string_view user_id,
                                                 uint64_t version,
                                                 const KeyScope& scope) const;

  // Deletes the keys in `scope` in one batch; the etag changes when any
  // existed. NotFound for an unknown or deleted version.
  absl::StatusOr<KeyCounts> DeleteKeys(std::string_view user_id,
                                       uint64_t version, const KeyScope& scope);

 private:
  struct Record;  // A decoded `userid_backupversion` row.

  std::mutex& LockFor(std::string_view user_id);
  absl::StatusOr<std::optional<Record>> ReadRecord(
      const std::string& user, uint64_t version,
      const rocksdb::ReadOptions& options = {}) const;
  absl::StatusOr<std::optional<BackupVersion>> LatestLive(
      const std::string& user) const;
  absl::StatusOr<uint64_t> LastVersionNumber(const std::string& user) const;
  absl::Status StageRecord(rocksdb::WriteBatch& batch, const std::string& user,
                           uint64_t version, const Record& record);

  Engine* engine_;
  // Changes of one user's backups read, then write; these serialise them.
  std::array<std::mutex, 16> stripes_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_BACKUP_BACKUP_STORE_H_
