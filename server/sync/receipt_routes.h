// Receipts and read markers (Spec: client-server-api, "Receipts" and
// "Fully read markers"): POST /rooms/{roomId}/receipt/{receiptType}/{eventId}
// and POST /rooms/{roomId}/read_markers. m.fully_read is the room's account
// data; m.read and m.read.private are receipts (threaded with thread_id).
#ifndef MYELIN_SERVER_SYNC_RECEIPT_ROUTES_H_
#define MYELIN_SERVER_SYNC_RECEIPT_ROUTES_H_

#include "absl/status/status.h"
#include "dag/base/clock.h"
#include "server/http/router.h"
#include "storage/accountdata/account_data_store.h"
#include "storage/events/event_store.h"
#include "storage/receipts/receipt_store.h"

namespace myelin::sync {

struct ReceiptContext {
  const storage::EventStore* events = nullptr;
  storage::ReceiptStore* receipts = nullptr;
  storage::AccountDataStore* account_data = nullptr;
  const Clock* clock = nullptr;
};

// `context` must outlive the table.
absl::Status AddReceiptRoutes(http::RouteTable* table,
                              const ReceiptContext* context);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_RECEIPT_ROUTES_H_
