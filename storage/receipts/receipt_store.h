// Read receipts (Spec: client-server-api, "Receipts"): per room, the event
// each user has read, by receipt type (m.read, m.read.private) and thread.
// A StreamedTable scoped by room, so /sync reads a room's new receipts since
// a position with one prefix scan.
//
// Thread-safe. The Engine must outlive the store.
#ifndef MYELIN_STORAGE_RECEIPTS_RECEIPT_STORE_H_
#define MYELIN_STORAGE_RECEIPTS_RECEIPT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/engine.h"
#include "storage/streams/streamed_table.h"

namespace myelin::storage {

struct Receipt {
  std::string type;       // "m.read", "m.read.private"
  std::string user_id;
  std::string thread_id;  // "" when unthreaded; "main" or a root event id
  std::string event_id;
  int64_t ts = 0;
  uint64_t stream = 0;
};

class ReceiptStore {
 public:
  static absl::StatusOr<std::unique_ptr<ReceiptStore>> Open(Engine* engine);

  // Records `receipt` (stream is ignored) and returns its position.
  absl::StatusOr<uint64_t> Put(std::string_view room_id, const Receipt& receipt);

  absl::StatusOr<std::optional<Receipt>> Get(std::string_view room_id,
                                             std::string_view type,
                                             std::string_view user_id,
                                             std::string_view thread_id) const;

  // The room's receipts changed after `since`, oldest first, at most `limit`.
  absl::StatusOr<std::vector<Receipt>> ChangesSince(std::string_view room_id,
                                                    uint64_t since,
                                                    size_t limit) const;

  // Called after each committed change with its scope (room id) and stream
  // position, outside any lock. Set once, before the store is shared.
  void SetListener(StreamedTable::Listener listener) {
    table_->SetListener(std::move(listener));
  }

  uint64_t LatestStream() const { return table_->LatestStream(); }

 private:
  explicit ReceiptStore(std::unique_ptr<StreamedTable> table)
      : table_(std::move(table)) {}

  std::unique_ptr<StreamedTable> table_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_RECEIPTS_RECEIPT_STORE_H_
