#include "storage/backup/backup_store.h"

#include <capnp/message.h>

#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/backup/backup.capnp.h"
#include "storage/keys/backup_keys.h"
#include "storage/rocks_status.h"
#include "storage/state/capnp_bytes.h"

namespace myelin::storage {

namespace {

using VersionKey = keys::BackupVersionKey;
using RoomKeyKey = keys::BackupRoomKeyKey;

std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// The key range [begin, end) of the keys in `scope`. For one session the
// whole key is the prefix: no other key starts with it (every string part
// ends with its terminator).
std::pair<std::string, std::string> RangeOf(const std::string& user,
                                            uint64_t version,
                                            const KeyScope& scope) {
  std::string prefix;
  if (!scope.session_id.empty()) {
    prefix = RoomKeyKey::Encode(user, version, scope.room_id, scope.session_id);
  } else if (!scope.room_id.empty()) {
    prefix = RoomKeyKey::EncodePrefix(user, version, scope.room_id);
  } else {
    prefix = RoomKeyKey::EncodePrefix(user, version);
  }
  // The prefix ends with a whole part, so it is never all 0xFF.
  return {prefix, *keys::PrefixUpperBound(prefix)};
}

}  // namespace

struct BackupStore::Record {
  std::string algorithm;
  std::string auth_data;
  uint64_t etag = 0;
  uint64_t count = 0;
  bool deleted = false;

  BackupVersion ToVersion(uint64_t version) const {
    return {version, algorithm, auth_data, etag, count};
  }

  std::string Encode() const {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::BackupVersionRecord>();
    root.setAlgorithm(algorithm);
    root.setAuthData(auth_data);
    root.setEtag(etag);
    root.setCount(count);
    root.setDeleted(deleted);
    return CapnpToBytes(message);
  }

  static absl::StatusOr<Record> Decode(std::string_view bytes) {
    return ReadCapnp<schema::BackupVersionRecord>(
        bytes, "userid_backupversion",
        [](schema::BackupVersionRecord::Reader root) {
          return Record{root.getAlgorithm().cStr(), root.getAuthData().cStr(),
                        root.getEtag(), root.getCount(), root.getDeleted()};
        });
  }
};

std::mutex& BackupStore::LockFor(std::string_view user_id) {
  return stripes_[absl::Hash<absl::string_view>()(AV(user_id)) %
                  stripes_.size()];
}

absl::StatusOr<std::optional<BackupStore::Record>> BackupStore::ReadRecord(
    const std::string& user, uint64_t version,
    const rocksdb::ReadOptions& options) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   engine_->Get(Cf::kUseridBackupversion,
                                VersionKey::Encode(user, version), options));
  if (!bytes.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(Record record, Record::Decode(*bytes));
  return record;
}

absl::Status BackupStore::StageRecord(rocksdb::WriteBatch& batch,
                                      const std::string& user,
                                      uint64_t version, const Record& record) {
  return FromRocks(batch.Put(engine_->cf(Cf::kUseridBackupversion),
                             VersionKey::Encode(user, version), record.Encode()),
                   "backup version");
}

// Walks the user's versions from the newest down; few users have more
// than a handful, deleted ones included.
absl::StatusOr<std::optional<BackupVersion>> BackupStore::LatestLive(
    const std::string& user) const {
  std::string lower = VersionKey::EncodePrefix(user);
  std::string upper = *keys::PrefixUpperBound(lower);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUseridBackupversion, options);
  for (it->SeekToLast(); it->Valid(); it->Prev()) {
    auto key = VersionKey::Decode(ToView(it->key()));
    if (!key.ok()) return absl::DataLossError("userid_backupversion: bad key");
    ASSIGN_OR_RETURN(Record record, Record::Decode(ToView(it->value())));
    if (!record.deleted) return record.ToVersion(std::get<1>(*key));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "backup versions"));
  return std::nullopt;
}

absl::StatusOr<uint64_t> BackupStore::LastVersionNumber(
    const std::string& user) const {
  std::string lower = VersionKey::EncodePrefix(user);
  std::string upper = *keys::PrefixUpperBound(lower);
  rocksdb::Slice lower_slice(lower), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUseridBackupversion, options);
  it->SeekToLast();
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocks(it->status(), "backup versions"));
    return 0;
  }
  auto key = VersionKey::Decode(ToView(it->key()));
  if (!key.ok()) return absl::DataLossError("userid_backupversion: bad key");
  return std::get<1>(*key);
}

absl::StatusOr<uint64_t> BackupStore::CreateVersion(
    std::string_view user_id, std::string_view algorithm,
    std::string_view auth_data) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(LockFor(user));
  ASSIGN_OR_RETURN(uint64_t last, LastVersionNumber(user));
  Record record{std::string(algorithm), std::string(auth_data)};
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(StageRecord(batch, user, last + 1, record));
  RETURN_IF_ERROR(engine_->Write(batch));
  return last + 1;
}

absl::StatusOr<std::optional<BackupVersion>> BackupStore::GetVersion(
    std::string_view user_id, uint64_t version) const {
  std::string user(user_id);
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(user, version));
  if (!record.has_value() || record->deleted) return std::nullopt;
  return record->ToVersion(version);
}

absl::StatusOr<std::optional<BackupVersion>> BackupStore::CurrentVersion(
    std::string_view user_id) const {
  return LatestLive(std::string(user_id));
}

absl::Status BackupStore::UpdateVersion(std::string_view user_id,
                                        uint64_t version,
                                        std::string_view algorithm,
                                        std::string_view auth_data) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(LockFor(user));
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(user, version));
  if (!record.has_value() || record->deleted) {
    return absl::NotFoundError("Unknown backup version");
  }
  if (record->algorithm != algorithm) {
    return absl::InvalidArgumentError("Algorithm does not match");
  }
  record->auth_data = std::string(auth_data);
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(StageRecord(batch, user, version, *record));
  return engine_->Write(batch);
}

absl::Status BackupStore::DeleteVersion(std::string_view user_id,
                                        uint64_t version) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(LockFor(user));
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(user, version));
  if (!record.has_value()) return absl::NotFoundError("Unknown backup version");
  if (record->deleted) return absl::OkStatus();
  // The tombstone keeps the algorithm (harmless) but not the auth data.
  Record tombstone{record->algorithm, "{}", record->etag + 1, 0, true};
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(StageRecord(batch, user, version, tombstone));
  auto [begin, end] = RangeOf(user, version, KeyScope{});
  RETURN_IF_ERROR(FromRocks(
      batch.DeleteRange(engine_->cf(Cf::kBackupsessionRoomkey), begin, end),
      "backup keys"));
  return engine_->Write(batch);
}

absl::StatusOr<PutKeysResult> BackupStore::PutKeys(
    std::string_view user_id, uint64_t version,
    const std::vector<SessionKey>& keys) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(LockFor(user));
  ASSIGN_OR_RETURN(std::optional<BackupVersion> current, LatestLive(user));
  if (!current.has_value()) return absl::NotFoundError("No backup version");
  PutKeysResult result;
  result.current_version = current->version;
  if (current->version != version) return result;
  result.accepted = true;
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(user, version));
  if (!record.has_value()) return absl::InternalError("backup version vanished");
  // Keys this batch writes, so a session named twice is compared with the
  // first of them rather than with the stored key.
  absl::flat_hash_map<std::string, RoomKey> staged;
  rocksdb::WriteBatch batch;
  for (const SessionKey& upload : keys) {
    std::string key =
        RoomKeyKey::Encode(user, version, upload.room_id, upload.session_id);
    std::optional<RoomKey> existing;
    if (auto it = staged.find(key); it != staged.end()) {
      existing = it->second;
    } else {
      ASSIGN_OR_RETURN(std::optional<std::string> stored,
                       engine_->Get(Cf::kBackupsessionRoomkey, key));
      if (stored.has_value()) {
        ASSIGN_OR_RETURN(existing, DecodeRoomKey(*stored));
      }
    }
    if (existing.has_value() && !ShouldReplace(*existing, upload.key)) continue;
    if (!existing.has_value()) ++record->count;
    RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kBackupsessionRoomkey),
                                        key, EncodeRoomKey(upload.key)),
                              "backup key"));
    staged[key] = upload.key;
  }
  if (!staged.empty()) {
    ++record->etag;
    RETURN_IF_ERROR(StageRecord(batch, user, version, *record));
    RETURN_IF_ERROR(engine_->Write(batch));
  }
  result.counts = {record->etag, record->count};
  return result;
}

absl::StatusOr<std::vector<StoredKey>> BackupStore::GetKeys(
    std::string_view user_id, uint64_t version, const KeyScope& scope) const {
  std::string user(user_id);
  // One snapshot for the version check and the scan, so a concurrent
  // DeleteVersion cannot show a live version without its keys.
  rocksdb::ManagedSnapshot snapshot(engine_->db());
  rocksdb::ReadOptions options;
  options.snapshot = snapshot.snapshot();
  ASSIGN_OR_RETURN(std::optional<Record> record,
                   ReadRecord(user, version, options));
  if (!record.has_value() || record->deleted) {
    return absl::NotFoundError("Unknown backup version");
  }
  auto [begin, end] = RangeOf(user, version, scope);
  rocksdb::Slice upper(end);
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kBackupsessionRoomkey, options);
  std::vector<StoredKey> found;
  for (it->Seek(begin); it->Valid(); it->Next()) {
    auto key = RoomKeyKey::Decode(ToView(it->key()));
    if (!key.ok()) return absl::DataLossError("backupsession_roomkey: bad key");
    found.push_back({std::get<2>(*key), std::get<3>(*key),
                     it->value().ToString()});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "backup keys"));
  return found;
}

absl::StatusOr<KeyCounts> BackupStore::DeleteKeys(std::string_view user_id,
                                                  uint64_t version,
                                                  const KeyScope& scope) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(LockFor(user));
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(user, version));
  if (!record.has_value() || record->deleted) {
    return absl::NotFoundError("Unknown backup version");
  }
  auto [begin, end] = RangeOf(user, version, scope);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kBackupsessionRoomkey, options);
  uint64_t removed = 0;
  for (it->Seek(begin); it->Valid(); it->Next()) ++removed;
  RETURN_IF_ERROR(FromRocks(it->status(), "backup keys"));
  if (removed > 0) {
    record->count = removed > record->count ? 0 : record->count - removed;
    ++record->etag;
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(FromRocks(
        batch.DeleteRange(engine_->cf(Cf::kBackupsessionRoomkey), begin, end),
        "backup keys"));
    RETURN_IF_ERROR(StageRecord(batch, user, version, *record));
    RETURN_IF_ERROR(engine_->Write(batch));
  }
  return KeyCounts{record->etag, record->count};
}

}  // namespace myelin::storage
