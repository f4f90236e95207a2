#include "storage/directory/directory_store.h"

#include <memory>
#include <utility>

#include "dag/base/status_macros.h"
#include "storage/keys/directory_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

// Decoded string parts of every key starting with `prefix` in `cf`; each
// key is decoded with K and the part at index I kept.
template <typename K, size_t I>
absl::StatusOr<std::vector<std::string>> ScanPart(const Engine& engine, Cf cf,
                                                  const std::string& prefix) {
  std::optional<std::string> upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice lower_slice(prefix);
  rocksdb::Slice upper_slice;
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  if (upper) {
    upper_slice = rocksdb::Slice(*upper);
    options.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it = engine.NewIterator(cf, options);
  std::vector<std::string> out;
  for (it->Seek(lower_slice); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(auto parts,
                     K::Decode(std::string_view(it->key().data(),
                                                it->key().size())));
    out.push_back(std::get<I>(std::move(parts)));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "directory scan"));
  return out;
}

}  // namespace

absl::Status DirectoryStore::CreateAlias(std::string_view alias,
                                         std::string_view room_id,
                                         std::string_view creator) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<AliasRecord> existing, GetAlias(alias));
  if (existing) return absl::AlreadyExistsError("room alias taken");
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kAliasRoomid), keys::AliasKey::Encode(alias),
                keys::AliasValue::Encode(room_id, creator)),
      "batch put"));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kRoomidAliases),
                keys::RoomAliasKey::Encode(room_id, alias), ""),
      "batch put"));
  return engine_->Write(batch);
}

absl::StatusOr<std::optional<AliasRecord>> DirectoryStore::GetAlias(
    std::string_view alias) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   engine_->Get(Cf::kAliasRoomid, keys::AliasKey::Encode(alias)));
  if (!bytes) return std::optional<AliasRecord>();
  ASSIGN_OR_RETURN(auto parts, keys::AliasValue::Decode(*bytes));
  return std::optional<AliasRecord>(AliasRecord{
      std::get<0>(std::move(parts)), std::get<1>(std::move(parts))});
}

absl::StatusOr<AliasRecord> DirectoryStore::DeleteAlias(
    std::string_view alias) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<AliasRecord> existing, GetAlias(alias));
  if (!existing) return absl::NotFoundError("room alias not found");
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kAliasRoomid), keys::AliasKey::Encode(alias)),
      "batch delete"));
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kRoomidAliases),
                   keys::RoomAliasKey::Encode(existing->room_id, alias)),
      "batch delete"));
  RETURN_IF_ERROR(engine_->Write(batch));
  return *std::move(existing);
}

absl::StatusOr<std::vector<std::string>> DirectoryStore::AliasesOf(
    std::string_view room_id) const {
  return ScanPart<keys::RoomAliasKey, 1>(
      *engine_, Cf::kRoomidAliases,
      keys::RoomAliasKey::EncodePrefix(std::string(room_id)));
}

absl::StatusOr<std::vector<std::string>> DirectoryStore::MoveRoom(
    std::string_view from, std::string_view to) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::vector<std::string> aliases, AliasesOf(from));
  rocksdb::WriteBatch batch;
  for (const std::string& alias : aliases) {
    ASSIGN_OR_RETURN(std::optional<AliasRecord> record, GetAlias(alias));
    std::string creator = record ? record->creator : std::string();
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kAliasRoomid), keys::AliasKey::Encode(alias),
                  keys::AliasValue::Encode(to, creator)),
        "batch put"));
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(engine_->cf(Cf::kRoomidAliases),
                     keys::RoomAliasKey::Encode(from, alias)),
        "batch delete"));
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kRoomidAliases),
                  keys::RoomAliasKey::Encode(to, alias), ""),
        "batch put"));
  }
  ASSIGN_OR_RETURN(bool published, IsPublished(from));
  if (published) {
    rocksdb::ColumnFamilyHandle* cf = engine_->cf(Cf::kRoomidPublished);
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(cf, keys::PublishedRoomKey::Encode(from)), "batch delete"));
    RETURN_IF_ERROR(FromRocks(
        batch.Put(cf, keys::PublishedRoomKey::Encode(to), ""), "batch put"));
  }
  RETURN_IF_ERROR(engine_->Write(batch));
  return aliases;
}

absl::Status DirectoryStore::SetPublished(std::string_view room_id,
                                          bool published) {
  rocksdb::WriteBatch batch;
  std::string key = keys::PublishedRoomKey::Encode(room_id);
  rocksdb::ColumnFamilyHandle* cf = engine_->cf(Cf::kRoomidPublished);
  RETURN_IF_ERROR(FromRocks(published ? batch.Put(cf, key, "")
                                      : batch.Delete(cf, key),
                            "batch write"));
  return engine_->Write(batch);
}

absl::StatusOr<bool> DirectoryStore::IsPublished(
    std::string_view room_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   engine_->Get(Cf::kRoomidPublished,
                                keys::PublishedRoomKey::Encode(room_id)));
  return bytes.has_value();
}

absl::StatusOr<std::vector<std::string>> DirectoryStore::PublishedRooms()
    const {
  return ScanPart<keys::PublishedRoomKey, 0>(*engine_, Cf::kRoomidPublished,
                                             "");
}

}  // namespace myelin::storage
