// GET /sync (Spec: client-server-api, "Syncing"): the route and its long
// poll. The response is computed on the worker pool; when it is empty and
// the client gave a `timeout`, the request waits for the notifier (woken by
// any change for the user) or the timeout, whichever comes first, and is
// computed again.
#ifndef MYELIN_SERVER_SYNC_SYNC_ROUTES_H_
#define MYELIN_SERVER_SYNC_SYNC_ROUTES_H_

#include <atomic>

#include "absl/status/status.h"
#include "server/http/router.h"
#include "server/http/server.h"
#include "server/sync/notifier.h"
#include "server/sync/sync.h"
#include "storage/filters/filter_store.h"

namespace myelin::sync {

struct SyncService {
  SyncSources sources;
  storage::FilterStore* filters = nullptr;
  SyncNotifier* notifier = nullptr;
  // Timers and the worker pool. Set once the server has started; until
  // then /sync answers 503.
  std::atomic<http::HttpServer*> server{nullptr};
};

// Longest wait a client may ask for; longer timeouts are cut to it.
inline constexpr int64_t kMaxSyncTimeoutMillis = 5 * 60 * 1000;

// `service` must outlive the table.
absl::Status AddSyncRoutes(http::RouteTable* table, SyncService* service);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_SYNC_ROUTES_H_
