// GET /sync computed (Spec: client-server-api, "Syncing"; sync.yaml): what
// changed for one user's device between a token and now, as the response
// body, plus whether anything changed at all (an empty incremental response
// makes the route wait for the notifier instead of answering).
//
// Cost follows change (../shared/DESIGN.md): an incremental sync visits the
// rooms with new events (one scan of the event stream since the token),
// new typing or receipts (in-memory change indexes) and new room account
// data, and the users of device-list changes since the token — never every
// room the user is in. Initial syncs, full_state and
// very old tokens visit every room of the user.
#ifndef MYELIN_SERVER_SYNC_SYNC_H_
#define MYELIN_SERVER_SYNC_SYNC_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "dag/base/clock.h"
#include "server/filter/filter.h"
#include "server/rooms/rooms_api.h"
#include "server/sync/presence.h"
#include "server/sync/recent_changes.h"
#include "server/sync/sync_token.h"
#include "server/sync/typing.h"
#include "storage/accountdata/account_data_store.h"
#include "storage/e2ee/key_store.h"
#include "storage/events/event_store.h"
#include "storage/membership/forgotten_store.h"
#include "storage/receipts/receipt_store.h"
#include "storage/todevice/inbox_store.h"

namespace myelin::sync {

// Where /sync reads from. Not owned; everything must outlive the calls.
struct SyncSources {
  storage::EventStore* events = nullptr;
  storage::AccountDataStore* account_data = nullptr;
  storage::ReceiptStore* receipts = nullptr;
  storage::InboxStore* inbox = nullptr;
  storage::ForgottenStore* forgotten = nullptr;
  TypingTracker* typing = nullptr;
  PresenceTracker* presence = nullptr;
  // Serves events (redactions applied, relations bundled).
  const rooms::RoomsContext* rooms = nullptr;
  const Clock* clock = nullptr;
  // Rooms with new receipts, by receipt stream position.
  const RecentChanges* receipt_rooms = nullptr;
  // End-to-end keys: device lists, one-time and fallback key counts.
  storage::KeyStore* keys = nullptr;
};

struct SyncRequest {
  std::string user_id;
  std::string device_id;
  std::optional<SyncToken> since;  // nullopt: initial sync.
  filter::Filter filter;
  bool full_state = false;
  // Spec (v1.16): `state_after` (state up to the end of the timeline)
  // instead of `state`.
  bool use_state_after = false;
};

struct SyncResult {
  boost::json::object body;  // next_batch included.
  // Nothing for the client: the route may wait for a change.
  bool empty = true;
  SyncToken next;
};

absl::StatusOr<SyncResult> ComputeSync(const SyncSources& sources,
                                       const SyncRequest& request);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_SYNC_H_
