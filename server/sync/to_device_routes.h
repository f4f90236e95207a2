// PUT /sendToDevice/{eventType}/{txnId} (Spec: client-server-api,
// "Send-to-Device messaging"): queues messages for local users' devices
// ("*" means every device of the user). One request is one batch; a
// repeated transaction id is a no-op. Users on other servers need
// federation and are skipped for now (logged).
#ifndef MYELIN_SERVER_SYNC_TO_DEVICE_ROUTES_H_
#define MYELIN_SERVER_SYNC_TO_DEVICE_ROUTES_H_

#include <string>

#include "absl/status/status.h"
#include "server/http/router.h"
#include "storage/accounts/account_store.h"
#include "storage/todevice/inbox_store.h"

namespace myelin::sync {

struct ToDeviceContext {
  std::string server_name;
  const storage::AccountStore* accounts = nullptr;
  storage::InboxStore* inbox = nullptr;
  const http::RequestLimiter* rate_limit = nullptr;
};

// `context` must outlive the table.
absl::Status AddToDeviceRoutes(http::RouteTable* table,
                               const ToDeviceContext* context);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_TO_DEVICE_ROUTES_H_
