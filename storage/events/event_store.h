// EventStore: the room event DAG, room state and membership in RocksDB.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
//                    EventStore::Open(*engine, EventStoreOptions{}));
//   PersistRequest req;
//   req.room_id = room_id;
//   req.pdu = &pdu;                  // parsed view of the event
//   req.event_json = canonical_json; // stored byte for byte
//   ASSIGN_OR_RETURN(PersistedEvent ev, store->Persist(req));
//
// What Persist writes, in ONE WriteBatch (storage/FORMAT.md, "Events" and
// "Room state"): the event JSON and metadata, event id <-> nid, any new
// room/user/(type, state_key) nids (both directions), the reverse prev-edge
// index, the state snapshots before/after the event, the room's timeline
// entries (stream and topological order) and the server-wide stream entry,
// forward extremities, the materialised current state and the membership
// indexes. A crash leaves all of it or none of it.
//
// Outliers (events known without their state, e.g. auth chains) and rejected
// events are stored (JSON, meta, mappings) but get no stream position, no
// timeline entry, are never forward extremities and never change the current
// state. Outliers have no state snapshots; a rejected event's state after is
// its state before.
// Persisting an event that is already stored writes nothing and returns it
// with `duplicate` set, except that an outlier persisted again as a
// non-outlier is promoted: it keeps its nid and stored JSON and gets state,
// timeline and the rest like a new event.
//
// Visibility: a persisted timeline event becomes visible to the stream
// readers (Timeline, EventsSince) only once stream().Published() reaches its
// position, i.e. once every earlier write has committed too. Point lookups
// (by id/nid, state, members) see a write as soon as it has committed.
//
// Thread safety: every method may be called from any thread. Persist calls
// for the same room are serialised internally (a striped lock on the room
// id); calls for different rooms run in parallel.
// Ownership: the Engine must outlive the EventStore.
//
// Errors: NotFound for an unknown id/nid (callers map it to M_NOT_FOUND),
// InvalidArgument for a malformed request, DataLoss for undecodable stored
// values, or the RocksDB error converted by FromRocks().
#ifndef MYELIN_STORAGE_EVENTS_EVENT_STORE_H_
#define MYELIN_STORAGE_EVENTS_EVENT_STORE_H_

#include <cstddef>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dag/pdu/pdu.h"
#include "dag/room_version/room_version.h"
#include "storage/engine.h"
#include "storage/events/stream_tracker.h"
#include "storage/events/types.h"

namespace myelin::storage {

struct EventStoreOptions {
  // Snapshots are stored as deltas against a parent snapshot. A full
  // snapshot is written instead when the chain of deltas down to the last
  // full one would get longer than this, so reading any snapshot reads at
  // most this many + 1 records. Deltas are small, so a longer chain costs
  // little to read, while each full snapshot of a large room rewrites all
  // of it. Default: 32.
  uint32_t max_snapshot_chain = 32;
  // ...or when the entries of that chain of deltas would exceed this
  // fraction of the full state's size (plus 64), so reading a snapshot
  // never costs much more than reading the full map. Default: 0.5.
  double max_delta_fraction = 0.5;
  // Materialised snapshots kept in memory, counted in state entries (about
  // 40 bytes each). CurrentState() and StateAtEvent() of hot rooms are
  // served from it. Default: 1,000,000 (~40 MiB).
  size_t snapshot_cache_entries = 1'000'000;
  // id <-> nid mappings (users, (type, state_key) pairs, event ids) cached
  // in memory, per kind. Default: 200,000.
  size_t nid_cache_entries = 200'000;
};

// A client's (user, device, transaction id) of a send.
struct ClientTxn {
  std::string user_id;
  std::string device_id;
  std::string txn_id;
};

struct PersistRequest {
  // The room the event belongs to. Required (v12 create events carry no
  // room_id; the caller derives it).
  std::string_view room_id;
  // The parsed event. Required; not owned, only read during Persist().
  const Pdu* pdu = nullptr;
  // The canonical JSON of the event, stored as given. Required.
  std::string_view event_json;
  // The room version. Required when the room is not yet stored (its create
  // event, or the first event federation stores); ignored otherwise.
  const RoomVersionRules* room_version = nullptr;

  bool outlier = false;
  // Rejected by the auth rules: stored (federation must not fetch it again)
  // but kept out of the timeline and the state.
  bool rejected = false;
  std::string rejection_reason;

  // The state before the event, as resolved by the caller (state resolution
  // over the prev events, or the state of a send_join response). Every
  // event_id must be stored already. When absent: the state after the prev
  // event(s) — they must be stored non-outliers that all share that state
  // (the common case of one prev event); no prev events: the empty state.
  // Ignored for outliers.
  std::optional<std::vector<StateEntry>> state_before;

  // What the room's current state becomes. Absent: the state after this
  // event (right when this event's prev events were the room's forward
  // extremities). Given: the caller's resolution of the new forward
  // extremities' states. Ignored for outliers and rejected events.
  std::optional<std::vector<StateEntry>> current_state_after;
  // Backfilled history: the event joins the timeline (and the DAG's child
  // edges) but leaves the current state and the forward extremities alone.
  // Default: false.
  bool keep_current_state = false;
  // The client transaction that sent this event (Spec: client-server-api,
  // "Transaction identifiers"): recorded in the event's batch, so a retry
  // after a crash finds the event instead of sending it twice. Local sends
  // only; ignored for duplicates.
  std::optional<ClientTxn> txn;
};

struct PersistedEvent {
  EventNid event_nid = 0;
  RoomNid room_nid = 0;
  // 0 for outliers and rejected events.
  StreamPos stream = 0;
  SnapshotNid state_before = 0;
  SnapshotNid state_after = 0;
  // The event was stored before; nothing was written and the fields above
  // describe the stored event.
  bool duplicate = false;
};

class EventStore {
 public:
  // Reads the highest stored nids and stream position to initialise the
  // allocators. `engine` must outlive the store. InvalidArgument for bad
  // options (max_snapshot_chain 0 is allowed: every snapshot is full).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(
      Engine& engine, const EventStoreOptions& options = {});
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Stores one event and everything derived from it in one WriteBatch (see
  // above). InvalidArgument if the request is incomplete, the pdu's room_id
  // differs from room_id, the room is new and room_version is missing, or
  // a state_before/current_state_after entry names an unknown event;
  // FailedPrecondition if state_before is absent and the prev events do
  // not determine it.
  absl::StatusOr<PersistedEvent> Persist(const PersistRequest& request);

  // --- Rooms ---
  absl::StatusOr<RoomInfo> LookupRoom(std::string_view room_id) const;
  absl::StatusOr<RoomInfo> GetRoom(RoomNid room) const;
  // The rules of the room's version. DataLoss if the stored version is not
  // one this release knows (a newer release wrote it).
  absl::StatusOr<const RoomVersionRules*> RoomVersion(RoomNid room) const;

  // --- Events ---
  absl::StatusOr<EventNid> LookupEvent(std::string_view event_id) const;
  absl::StatusOr<std::string> EventId(EventNid event) const;
  // The JSON exactly as persisted.
  absl::StatusOr<std::string> EventJson(EventNid event) const;
  // The event a client transaction sent, if any.
  absl::StatusOr<std::optional<std::string>> EventOfTxn(
      const ClientTxn& txn) const;
  // The (device id, transaction id) that sent an event, for
  // unsigned.transaction_id; nullopt for events not sent with one.
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>> TxnOfEvent(
      EventNid event) const;
  absl::StatusOr<EventMeta> Meta(EventNid event) const;
  // The JSON of many events at once (one RocksDB MultiGet), in the order
  // given: for /messages, /sync and /context pages. NotFound if any is
  // missing.
  absl::StatusOr<std::vector<std::string>> EventJsons(
      const std::vector<EventNid>& events) const;

  // --- Users and state keys ---
  absl::StatusOr<UserNid> LookupUser(std::string_view user_id) const;
  absl::StatusOr<std::string> UserId(UserNid user) const;
  absl::StatusOr<StateKeyNid> LookupStateKey(std::string_view type,
                                             std::string_view state_key) const;
  absl::StatusOr<StateKey> GetStateKey(StateKeyNid state_key) const;

  // --- State ---
  // The room's current state (empty for a room with none, or unknown). The
  // map is shared and immutable; it stays valid after the state changes (it
  // is then simply old).
  absl::StatusOr<std::shared_ptr<const StateMap>> CurrentState(
      RoomNid room) const;
  // NotFound if the room has no such state.
  absl::StatusOr<EventNid> CurrentStateEvent(RoomNid room,
                                             std::string_view type,
                                             std::string_view state_key) const;
  // The state before (or after) the event. FailedPrecondition for outliers.
  absl::StatusOr<std::shared_ptr<const StateMap>> StateAtEvent(
      EventNid event, bool after = false) const;
  absl::StatusOr<std::shared_ptr<const StateMap>> Snapshot(
      SnapshotNid snapshot) const;
  // What changed from state `from` to state `to` (snapshot nids; 0 is the
  // empty state): for incremental /sync's "state" section. Cheap when `to`
  // is `from` plus one delta.
  absl::StatusOr<StateDelta> DiffStates(SnapshotNid from,
                                        SnapshotNid to) const;
  // The map with ids instead of nids, sorted by (type, state_key).
  absl::StatusOr<std::vector<StateEntry>> ToEntries(const StateMap& state) const;

  // --- Membership (follows the current state) ---
  // Members with `only` membership, or every membership when nullopt.
  // Ordered by membership, then user nid.
  absl::StatusOr<std::vector<Member>> Members(
      RoomNid room, std::optional<Membership> only = std::nullopt,
      size_t limit = std::numeric_limits<size_t>::max()) const;
  absl::StatusOr<std::vector<UserRoom>> RoomsOfUser(
      UserNid user, std::optional<Membership> only = std::nullopt) const;
  // Members per membership, mirrored in memory after the first call (for
  // /sync's room summaries).
  absl::StatusOr<MemberCounts> CountMembers(RoomNid room) const;
  // kNone when the user has no member event in the room's current state.
  absl::StatusOr<Membership> MembershipOf(RoomNid room, UserNid user) const;

  // --- Timeline ---
  // Up to `limit` events of the room in stream order from `from` (see
  // TopoToken for the token convention); never past stream().Published().
  absl::StatusOr<TimelinePage> Timeline(RoomNid room, StreamPos from,
                                        Direction direction,
                                        size_t limit) const;
  // The same in topological order (depth, then stream). Events not yet
  // published are skipped, and may later appear behind a token already
  // handed out — as events arriving over federation with a low depth can
  // anyway; stream paging is the one that never skips.
  absl::StatusOr<TimelinePage> TopologicalTimeline(RoomNid room,
                                                   TopoToken from,
                                                   Direction direction,
                                                   size_t limit) const;
  // The newest timeline position of the room (<= Published()), or 0.
  absl::StatusOr<StreamPos> LatestStream(RoomNid room) const;
  // Server-wide: events with from < stream <= min(to, Published()), in
  // stream order, at most `limit`.
  absl::StatusOr<std::vector<StreamEntry>> EventsSince(StreamPos from,
                                                       StreamPos to,
                                                       size_t limit) const;

  // --- DAG ---
  // The room's forward extremities, by nid ascending.
  absl::StatusOr<std::vector<EventNid>> ForwardExtremities(RoomNid room) const;

  // Stream positions: Published() and the wait/notify hooks for /sync.
  StreamTracker& stream() { return *stream_; }
  const StreamTracker& stream() const { return *stream_; }

  // Bytes held by the in-memory caches (for the memory budget metric).
  size_t CacheBytes() const;

  // The implementation (event_store_impl.h); internal to storage/events.
  class Impl;

 private:
  explicit EventStore(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  StreamTracker* stream_;  // owned by impl_
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_EVENT_STORE_H_
