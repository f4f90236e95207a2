// GET/PUT /presence/{userId}/status (Spec: client-server-api, "Presence").
// Setting is for oneself; reading needs a shared room (or oneself).
#ifndef MYELIN_SERVER_SYNC_PRESENCE_ROUTES_H_
#define MYELIN_SERVER_SYNC_PRESENCE_ROUTES_H_

#include "absl/status/status.h"
#include "server/http/router.h"
#include "server/sync/presence.h"
#include "storage/events/event_store.h"

namespace myelin::sync {

// `presence` and `store` must outlive the table.
absl::Status AddPresenceRoutes(http::RouteTable* table,
                               PresenceTracker* presence,
                               const storage::EventStore* store);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_PRESENCE_ROUTES_H_
