#include "storage/accountdata/account_data_store.h"

#include "dag/base/status_macros.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"
#include "storage/keys/membership_keys.h"

namespace myelin::storage {
namespace {

std::string Item(std::string_view room_id, std::string_view type) {
  return keys::AccountDataItem::Encode(std::string(room_id), std::string(type));
}

absl::StatusOr<boost::json::object> ParseContent(std::string_view payload) {
  absl::StatusOr<boost::json::object> content = json::ParseJsonObject(payload);
  if (!content.ok()) return absl::DataLossError("account data: bad JSON");
  return content;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AccountDataStore>> AccountDataStore::Open(
    Engine* engine) {
  ASSIGN_OR_RETURN(std::unique_ptr<StreamedTable> table,
                   StreamedTable::Open(engine, {Cf::kUseridAccountdata,
                                                Cf::kUseridAccountdatastream,
                                                keys::MetaRow::kAccountDataStream}));
  return std::unique_ptr<AccountDataStore>(new AccountDataStore(std::move(table)));
}

absl::StatusOr<std::optional<boost::json::object>> AccountDataStore::Get(
    std::string_view user_id, std::string_view room_id,
    std::string_view type) const {
  ASSIGN_OR_RETURN(std::optional<StreamedTable::Value> value,
                   table_->Get(user_id, Item(room_id, type)));
  if (!value.has_value()) return std::optional<boost::json::object>();
  ASSIGN_OR_RETURN(boost::json::object content, ParseContent(value->payload));
  return std::optional<boost::json::object>(std::move(content));
}

absl::StatusOr<uint64_t> AccountDataStore::Put(
    std::string_view user_id, std::string_view room_id, std::string_view type,
    const boost::json::object& content) {
  ASSIGN_OR_RETURN(std::string json,
                   json::EncodeCanonicalJson(content, JsonStrictness::kLenient));
  return table_->Put(user_id, Item(room_id, type), json);
}

absl::StatusOr<uint64_t> AccountDataStore::Update(
    std::string_view user_id, std::string_view room_id, std::string_view type,
    const std::function<absl::StatusOr<boost::json::object>(
        std::optional<boost::json::object>)>& change) {
  return table_->Update(
      user_id, Item(room_id, type),
      [&](std::optional<std::string> payload) -> absl::StatusOr<std::string> {
        std::optional<boost::json::object> current;
        if (payload.has_value()) {
          ASSIGN_OR_RETURN(current, ParseContent(*payload));
        }
        ASSIGN_OR_RETURN(boost::json::object next, change(std::move(current)));
        return json::EncodeCanonicalJson(next, JsonStrictness::kLenient);
      });
}

absl::StatusOr<std::vector<AccountDataStore::Change>>
AccountDataStore::ChangesSince(std::string_view user_id, uint64_t since,
                               size_t limit) const {
  ASSIGN_OR_RETURN(std::vector<StreamedTable::Change> raw,
                   table_->ChangesSince(user_id, since, limit));
  std::vector<Change> changes;
  for (const StreamedTable::Change& change : raw) {
    absl::StatusOr<std::tuple<std::string, std::string>> item =
        keys::AccountDataItem::Decode(change.item);
    if (!item.ok()) return absl::DataLossError("account data log: bad item");
    changes.push_back({change.stream, std::get<0>(*item), std::get<1>(*item)});
  }
  return changes;
}

uint64_t AccountDataStore::LatestStream() const { return table_->LatestStream(); }

absl::StatusOr<absl::flat_hash_set<std::string>> AccountDataStore::IgnoredUsers(
    std::string_view user_id) const {
  absl::flat_hash_set<std::string> ignored;
  ASSIGN_OR_RETURN(std::optional<boost::json::object> list,
                   Get(user_id, "", "m.ignored_user_list"));
  if (!list.has_value()) return ignored;
  const auto* users = list->if_contains("ignored_users");
  if (users == nullptr || !users->is_object()) return ignored;
  for (const auto& [user, unused] : users->as_object()) {
    ignored.insert(std::string(user.data(), user.size()));
  }
  return ignored;
}

}  // namespace myelin::storage
