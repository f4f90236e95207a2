// PUT /rooms/{roomId}/typing/{userId} (Spec: client-server-api, "Typing
// Notifications"): only for oneself, only in rooms one is joined to.
#ifndef MYELIN_SERVER_SYNC_TYPING_ROUTES_H_
#define MYELIN_SERVER_SYNC_TYPING_ROUTES_H_

#include "absl/status/status.h"
#include "server/http/router.h"
#include "server/sync/typing.h"
#include "storage/events/event_store.h"

namespace myelin::sync {

// `typing` and `store` must outlive the table.
absl::Status AddTypingRoutes(http::RouteTable* table, TypingTracker* typing,
                             const storage::EventStore* store);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_TYPING_ROUTES_H_
