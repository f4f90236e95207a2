#include "storage/membership/forgotten_store.h"

#include "dag/base/status_macros.h"
#include "storage/keys/membership_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {

absl::Status ForgottenStore::Forget(std::string_view user_id,
                                    uint64_t room_nid,
                                    uint64_t member_event_nid) {
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kUseridForgotten),
                keys::ForgottenKey::Encode(std::string(user_id), room_nid),
                keys::ForgottenValue::Encode(member_event_nid)),
      "forget"));
  return engine_->Write(batch);
}

absl::StatusOr<bool> ForgottenStore::IsForgotten(
    std::string_view user_id, uint64_t room_nid,
    uint64_t current_member_event_nid) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> value,
      engine_->Get(Cf::kUseridForgotten,
                   keys::ForgottenKey::Encode(std::string(user_id), room_nid)));
  if (!value.has_value()) return false;
  absl::StatusOr<std::tuple<uint64_t>> nid =
      keys::ForgottenValue::Decode(*value);
  if (!nid.ok()) return absl::DataLossError("userid_forgotten: bad value");
  return std::get<0>(*nid) == current_member_event_nid;
}

absl::StatusOr<std::vector<uint64_t>> ForgottenStore::ForgottenRooms(
    std::string_view user_id) const {
  std::string prefix = keys::ForgottenKey::EncodePrefix(std::string(user_id));
  std::vector<uint64_t> rooms;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUseridForgotten);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    absl::StatusOr<std::tuple<std::string, uint64_t>> key =
        keys::ForgottenKey::Decode(std::string_view(it->key().data(), it->key().size()));
    if (!key.ok()) return absl::DataLossError("userid_forgotten: bad key");
    rooms.push_back(std::get<1>(*key));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "forgotten rooms"));
  return rooms;
}

}  // namespace myelin::storage
