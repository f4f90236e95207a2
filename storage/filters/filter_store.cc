#include "storage/filters/filter_store.h"

#include "dag/base/status_macros.h"
#include "storage/keys/membership_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {

absl::StatusOr<uint64_t> FilterStore::NextId(const std::string& user_id) const {
  std::string prefix = keys::FilterKey::EncodePrefix(user_id);
  std::optional<std::string> upper = keys::PrefixUpperBound(prefix);
  std::unique_ptr<rocksdb::Iterator> it = engine_->NewIterator(Cf::kUseridFilters);
  if (upper.has_value()) {
    it->SeekForPrev(*upper);
  } else {
    it->SeekToLast();
  }
  // SeekForPrev may land on the upper bound itself if such a key exists.
  if (it->Valid() && !it->key().starts_with(prefix)) it->Prev();
  uint64_t next = 0;
  if (it->Valid() && it->key().starts_with(prefix)) {
    absl::StatusOr<std::tuple<std::string, uint64_t>> key =
        keys::FilterKey::Decode(std::string_view(it->key().data(), it->key().size()));
    if (!key.ok()) return absl::DataLossError("userid_filters: bad key");
    next = std::get<1>(*key) + 1;
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "filters"));
  return next;
}

absl::StatusOr<uint64_t> FilterStore::Add(std::string_view user_id,
                                          std::string_view filter_json) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(uint64_t id, NextId(user));
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kUseridFilters),
                                      keys::FilterKey::Encode(user, id),
                                      rocksdb::Slice(filter_json.data(),
                                                     filter_json.size())),
                            "filter"));
  RETURN_IF_ERROR(engine_->Write(batch));
  return id;
}

absl::StatusOr<std::string> FilterStore::Get(std::string_view user_id,
                                             uint64_t filter_id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> json,
                   engine_->Get(Cf::kUseridFilters,
                                keys::FilterKey::Encode(std::string(user_id),
                                                        filter_id)));
  if (!json.has_value()) return absl::NotFoundError("no such filter");
  return *std::move(json);
}

}  // namespace myelin::storage
