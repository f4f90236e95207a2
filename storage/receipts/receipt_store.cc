#include "storage/receipts/receipt_store.h"

#include "boost/json/object.hpp"
#include "dag/base/status_macros.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"
#include "storage/keys/membership_keys.h"

namespace myelin::storage {
namespace {

absl::StatusOr<Receipt> Decode(std::string_view item, std::string_view payload,
                               uint64_t stream) {
  absl::StatusOr<std::tuple<std::string, std::string, std::string>> parts =
      keys::ReceiptItem::Decode(item);
  absl::StatusOr<boost::json::object> json = json::ParseJsonObject(payload);
  if (!parts.ok() || !json.ok()) return absl::DataLossError("receipt: bad row");
  const auto* event_id = json->if_contains("event_id");
  const auto* ts = json->if_contains("ts");
  if (event_id == nullptr || !event_id->is_string() || ts == nullptr ||
      !ts->is_int64()) {
    return absl::DataLossError("receipt: bad payload");
  }
  return Receipt{std::get<0>(*parts), std::get<1>(*parts), std::get<2>(*parts),
                 std::string(event_id->as_string()), ts->as_int64(), stream};
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReceiptStore>> ReceiptStore::Open(Engine* engine) {
  ASSIGN_OR_RETURN(std::unique_ptr<StreamedTable> table,
                   StreamedTable::Open(engine, {Cf::kRoomidReceipts,
                                                Cf::kRoomidReceiptstream,
                                                keys::MetaRow::kReceiptStream}));
  return std::unique_ptr<ReceiptStore>(new ReceiptStore(std::move(table)));
}

absl::StatusOr<uint64_t> ReceiptStore::Put(std::string_view room_id,
                                           const Receipt& receipt) {
  ASSIGN_OR_RETURN(std::string payload,
                   json::EncodeCanonicalJson(
                       boost::json::object{{"event_id", receipt.event_id},
                                           {"ts", receipt.ts}}));
  return table_->Put(room_id,
                     keys::ReceiptItem::Encode(receipt.type, receipt.user_id,
                                               receipt.thread_id),
                     payload);
}

absl::StatusOr<std::optional<Receipt>> ReceiptStore::Get(
    std::string_view room_id, std::string_view type, std::string_view user_id,
    std::string_view thread_id) const {
  std::string item = keys::ReceiptItem::Encode(
      std::string(type), std::string(user_id), std::string(thread_id));
  ASSIGN_OR_RETURN(std::optional<StreamedTable::Value> value,
                   table_->Get(room_id, item));
  if (!value.has_value()) return std::optional<Receipt>();
  ASSIGN_OR_RETURN(Receipt receipt, Decode(item, value->payload, value->stream));
  return std::optional<Receipt>(std::move(receipt));
}

absl::StatusOr<std::vector<Receipt>> ReceiptStore::ChangesSince(
    std::string_view room_id, uint64_t since, size_t limit) const {
  ASSIGN_OR_RETURN(std::vector<StreamedTable::Change> changes,
                   table_->ChangesSince(room_id, since, limit));
  std::vector<Receipt> receipts;
  for (const StreamedTable::Change& change : changes) {
    ASSIGN_OR_RETURN(std::optional<StreamedTable::Value> value,
                     table_->Get(room_id, change.item));
    if (!value.has_value()) continue;  // Not possible: same batch.
    ASSIGN_OR_RETURN(Receipt receipt,
                     Decode(change.item, value->payload, change.stream));
    receipts.push_back(std::move(receipt));
  }
  return receipts;
}

}  // namespace myelin::storage
