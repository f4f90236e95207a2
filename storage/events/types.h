// The vocabulary of the event store: numeric ids, memberships, state maps,
// and the plain structs that go in and out of EventStore (event_store.h).
//
// Numeric ids ("nids") are dense u64s assigned by this server, never sent to
// anyone else. 0 is never a valid nid of any kind: it means "none".
#ifndef MYELIN_STORAGE_EVENTS_TYPES_H_
#define MYELIN_STORAGE_EVENTS_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace myelin::storage {

using RoomNid = uint64_t;
using EventNid = uint64_t;
using UserNid = uint64_t;
// One id per (event type, state_key) pair.
using StateKeyNid = uint64_t;
using SnapshotNid = uint64_t;
// Position in the server-wide event stream (the order events were persisted
// in). Positions start at 1; 0 means "before everything".
using StreamPos = uint64_t;

// Spec: client-server-api m.room.member "membership". The values reach disk
// (keys of roomnid_members / usernid_rooms, EventMeta): do not change them.
enum class Membership : uint8_t {
  kNone = 0,  // not a member event, or an unknown membership string
  kJoin = 1,
  kInvite = 2,
  kLeave = 3,
  kBan = 4,
  kKnock = 5,
};

// "join" -> kJoin ...; anything else -> kNone.
Membership ParseMembership(std::string_view membership);
// kJoin -> "join" ...; kNone -> "".
std::string_view MembershipName(Membership membership);

// A room state: (type, state_key) pair -> the event that holds it.
using StateMap = absl::flat_hash_map<StateKeyNid, EventNid>;
// Changes to a state, sorted by state-key nid; an event nid of 0 removes the
// key.
using StateDelta = std::vector<std::pair<StateKeyNid, EventNid>>;

struct StateKey {
  std::string type;
  std::string state_key;
  bool operator==(const StateKey&) const = default;
};

// One entry of a state given by ids (from a state resolution result or a
// send_join response).
struct StateEntry {
  std::string type;
  std::string state_key;
  std::string event_id;
  bool operator==(const StateEntry&) const = default;
};

// Everything the store knows about an event besides its JSON.
struct EventMeta {
  EventNid event_nid = 0;
  std::string event_id;
  RoomNid room_nid = 0;
  // 0 for outliers and rejected events (they are not in the timeline).
  StreamPos stream = 0;
  int64_t depth = 0;
  int64_t origin_server_ts = 0;
  std::string type;
  // 0 unless a state event.
  StateKeyNid state_key_nid = 0;
  std::optional<std::string> state_key;
  UserNid sender_nid = 0;
  // For m.room.member events: content.membership; else kNone.
  Membership membership = Membership::kNone;
  // DAG edges, as ids: the referenced events need not be stored.
  std::vector<std::string> prev_events;
  std::vector<std::string> auth_events;
  bool outlier = false;
  bool rejected = false;
  std::string rejection_reason;
  // State before and after the event; 0 when unknown (outliers, and
  // rejected events whose prev events do not determine it).
  SnapshotNid state_before = 0;
  SnapshotNid state_after = 0;
};

struct RoomInfo {
  RoomNid room_nid = 0;
  std::string room_id;
  // The room version id ("1" .. "12"); FindRoomVersion() gives the rules.
  std::string room_version;
};

// A position in a room's timeline. Stream order: `stream` alone.
// Topological order: (depth, stream). `depth` is filled in by topological
// paging only.
struct TimelineEntry {
  StreamPos stream = 0;
  int64_t depth = 0;
  EventNid event_nid = 0;
};

enum class Direction { kForward, kBackward };

// A token denotes the gap *after* the event at that position: paging forward
// from t returns positions > t, paging backward from t returns positions <= t
// (newest first). The next page continues from `next`.
struct TopoToken {
  int64_t depth = 0;
  StreamPos stream = 0;
  bool operator==(const TopoToken&) const = default;
};

struct TimelinePage {
  std::vector<TimelineEntry> entries;
  // Where the next page in the same direction starts. Equals the `from`
  // given when `entries` is empty.
  StreamPos next_stream = 0;  // stream paging
  TopoToken next_topo;        // topological paging
  // True when the scan stopped at the end of the room's timeline (or, going
  // forward, at the published position) rather than at `limit`.
  bool end = false;
};

struct Member {
  UserNid user_nid = 0;
  std::string user_id;
  Membership membership = Membership::kNone;
  EventNid event_nid = 0;  // the m.room.member event in current state
};

// How many users of a room have each membership (current state).
struct MemberCounts {
  std::array<uint64_t, 6> by_membership{};  // Indexed by Membership.
  uint64_t Of(Membership m) const {
    return by_membership[static_cast<size_t>(m)];
  }
};

struct UserRoom {
  RoomNid room_nid = 0;
  Membership membership = Membership::kNone;
  EventNid event_nid = 0;
};

// An event of the server-wide stream (for /sync).
struct StreamEntry {
  StreamPos stream = 0;
  RoomNid room_nid = 0;
  EventNid event_nid = 0;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_TYPES_H_
