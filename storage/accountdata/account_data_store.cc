#include "storage/accountdata/account_data_store.h"

#include "dag/base/status_macros.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"
#include "storage/keys/membership_keys.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

constexpr size_t kStreamBytes = 8;

// Value layout: u64 stream position (big-endian), then canonical JSON.
struct StoredValue {
  uint64_t stream = 0;
  std::string_view json;
};

absl::StatusOr<StoredValue> DecodeValue(std::string_view value) {
  if (value.size() < kStreamBytes) {
    return absl::DataLossError("userid_accountdata: short value");
  }
  std::string_view head = value.substr(0, kStreamBytes);
  absl::StatusOr<std::tuple<uint64_t>> stream = keys::U64Value::Decode(head);
  if (!stream.ok()) return absl::DataLossError("userid_accountdata: bad stream");
  return StoredValue{std::get<0>(*stream), value.substr(kStreamBytes)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccountDataStore>> AccountDataStore::Open(
    Engine* engine) {
  ASSIGN_OR_RETURN(
      std::optional<std::string> last,
      engine->Get(Cf::kMeta,
                  keys::EncodeMetaKey(keys::MetaRow::kAccountDataStream)));
  uint64_t position = 0;
  if (last.has_value()) {
    absl::StatusOr<std::tuple<uint64_t>> decoded = keys::U64Value::Decode(*last);
    if (!decoded.ok()) return absl::DataLossError("meta: bad account data stream");
    position = std::get<0>(*decoded);
  }
  return std::unique_ptr<AccountDataStore>(new AccountDataStore(engine, position));
}

absl::StatusOr<std::optional<boost::json::object>> AccountDataStore::Get(
    std::string_view user_id, std::string_view room_id,
    std::string_view type) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   engine_->Get(Cf::kUseridAccountdata,
                                keys::AccountDataKey::Encode(
                                    std::string(user_id), std::string(room_id),
                                    std::string(type))));
  if (!value.has_value()) return std::optional<boost::json::object>();
  ASSIGN_OR_RETURN(StoredValue stored, DecodeValue(*value));
  absl::StatusOr<boost::json::object> content = json::ParseJsonObject(stored.json);
  if (!content.ok()) return absl::DataLossError("userid_accountdata: bad JSON");
  return std::optional<boost::json::object>(*std::move(content));
}

absl::StatusOr<uint64_t> AccountDataStore::PutLocked(
    const std::string& user, const std::string& room, const std::string& type,
    const boost::json::object& content) {
  ASSIGN_OR_RETURN(std::string json,
                   json::EncodeCanonicalJson(content, JsonStrictness::kLenient));
  std::string key = keys::AccountDataKey::Encode(user, room, type);
  ASSIGN_OR_RETURN(std::optional<std::string> old,
                   engine_->Get(Cf::kUseridAccountdata, key));
  uint64_t stream = last_ + 1;
  rocksdb::WriteBatch batch;
  if (old.has_value()) {
    ASSIGN_OR_RETURN(StoredValue previous, DecodeValue(*old));
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(engine_->cf(Cf::kUseridAccountdatastream),
                     keys::AccountDataStreamKey::Encode(user, previous.stream)),
        "account data log"));
  }
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kUseridAccountdata), key,
                keys::U64Value::Encode(stream) + json),
      "account data"));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kUseridAccountdatastream),
                keys::AccountDataStreamKey::Encode(user, stream),
                keys::AccountDataStreamValue::Encode(room, type)),
      "account data log"));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMeta),
                keys::EncodeMetaKey(keys::MetaRow::kAccountDataStream),
                keys::U64Value::Encode(stream)),
      "account data stream"));
  RETURN_IF_ERROR(engine_->Write(batch));
  last_ = stream;
  return stream;
}

absl::StatusOr<uint64_t> AccountDataStore::Put(
    std::string_view user_id, std::string_view room_id, std::string_view type,
    const boost::json::object& content) {
  std::lock_guard<std::mutex> lock(mu_);
  return PutLocked(std::string(user_id), std::string(room_id),
                   std::string(type), content);
}

absl::StatusOr<uint64_t> AccountDataStore::Update(
    std::string_view user_id, std::string_view room_id, std::string_view type,
    const std::function<absl::StatusOr<boost::json::object>(
        std::optional<boost::json::object>)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(std::optional<boost::json::object> current,
                   Get(user_id, room_id, type));
  ASSIGN_OR_RETURN(boost::json::object next, change(std::move(current)));
  return PutLocked(std::string(user_id), std::string(room_id),
                   std::string(type), next);
}

absl::StatusOr<std::vector<AccountDataStore::Change>>
AccountDataStore::ChangesSince(std::string_view user_id, uint64_t since,
                               size_t limit) const {
  std::string user(user_id);
  std::string prefix = keys::AccountDataStreamKey::EncodePrefix(user);
  std::vector<Change> changes;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUseridAccountdatastream);
  for (it->Seek(keys::AccountDataStreamKey::Encode(user, since + 1));
       it->Valid() && it->key().starts_with(prefix) && changes.size() < limit;
       it->Next()) {
    auto key = keys::AccountDataStreamKey::Decode(
        std::string_view(it->key().data(), it->key().size()));
    auto value = keys::AccountDataStreamValue::Decode(
        std::string_view(it->value().data(), it->value().size()));
    if (!key.ok() || !value.ok()) {
      return absl::DataLossError("userid_accountdatastream: bad row");
    }
    changes.push_back({std::get<1>(*key), std::get<0>(*value), std::get<1>(*value)});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "account data log"));
  return changes;
}

uint64_t AccountDataStore::LatestStream() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_;
}

}  // namespace myelin::storage
