// The pieces of ComputeSync (sync.h), internal to server/sync: the stream
// sections and the choice of rooms in sync_build.cc, the room sections in
// sync_rooms.cc, the events themselves in sync_events.cc.
#ifndef MYELIN_SERVER_SYNC_SYNC_BUILDER_H_
#define MYELIN_SERVER_SYNC_SYNC_BUILDER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "boost/json/array.hpp"
#include "boost/json/object.hpp"
#include "dag/base/strings.h"
#include "server/sync/sync.h"

namespace myelin::sync {

// A room of the user and their membership in it now.
struct RoomCandidate {
  storage::RoomInfo room;
  storage::Membership membership = storage::Membership::kNone;
  storage::EventNid member_event = 0;
  storage::StreamPos member_stream = 0;
};

// The timeline of one room section.
struct TimelineResult {
  std::vector<storage::EventMeta> events;  // Oldest first.
  bool limited = false;
};

class SyncBuilder {
 public:
  SyncBuilder(const SyncSources& sources, const SyncRequest& request);
  absl::StatusOr<SyncResult> Build();

 private:
  // --- sync_build.cc ---
  void CaptureNow();
  absl::Status LoadAccountData();
  absl::Status AddPresence();
  absl::Status AddToDevice();
  absl::Status AddDeviceKeys(boost::json::object& body);
  absl::StatusOr<std::vector<RoomCandidate>> CandidateRooms();
  absl::StatusOr<std::vector<RoomCandidate>> AllRooms();
  absl::StatusOr<std::optional<RoomCandidate>> CandidateFor(
      storage::RoomNid room);
  absl::StatusOr<bool> SharesRoomWith(std::string_view other);

  // --- sync_rooms.cc ---
  absl::Status AddRoom(const RoomCandidate& candidate);
  absl::Status AddJoinedRoom(const RoomCandidate& candidate);
  absl::Status AddLeftRoom(const RoomCandidate& candidate);
  absl::Status AddStrippedRoom(const RoomCandidate& candidate);
  absl::StatusOr<bool> WasJoinedBefore(const RoomCandidate& candidate);
  absl::StatusOr<storage::StreamPos> VisibleAfter(
      const RoomCandidate& candidate);
  absl::StatusOr<TimelineResult> ScanTimeline(const storage::RoomInfo& room,
                                              storage::StreamPos after,
                                              storage::StreamPos upto);
  absl::StatusOr<storage::SnapshotNid> SnapshotAt(storage::RoomNid room,
                                                  storage::StreamPos pos);
  // The room's `state` (or `state_after`) events.
  absl::StatusOr<boost::json::array> StateSection(
      const storage::RoomInfo& room, const TimelineResult& timeline,
      storage::StreamPos since, storage::StreamPos upto, bool full,
      const absl::flat_hash_set<std::string>& needed_members);
  absl::StatusOr<boost::json::object> Summary(const storage::RoomInfo& room,
                                              std::vector<std::string>* heroes);
  absl::StatusOr<bool> HasName(const storage::RoomInfo& room);
  absl::StatusOr<boost::json::array> Ephemeral(const storage::RoomInfo& room,
                                               bool full);
  boost::json::array RoomAccountData(const std::string& room_id);

  // --- sync_events.cc ---
  // The event as the client asked for it (event_format, event_fields),
  // with unsigned.transaction_id for the requesting device's own sends.
  absl::StatusOr<boost::json::object> ClientEvent(
      const storage::RoomInfo& room, const storage::EventMeta& meta);
  absl::StatusOr<boost::json::object> ClientEvent(const storage::RoomInfo& room,
                                                  storage::EventNid nid);
  // Many state events at once (no aggregations; see ServeStateEvents).
  absl::StatusOr<std::vector<boost::json::object>> StateEvents(
      const storage::RoomInfo& room, const std::vector<storage::EventNid>& nids);
  bool IsIgnored(std::string_view user_id) const {
    return ignored_.contains(AV(user_id));
  }

  const SyncSources& src_;
  const SyncRequest& req_;
  storage::EventStore& events_;
  const bool initial_;
  SyncToken since_;
  SyncToken now_;
  storage::UserNid user_nid_ = 0;  // 0: the user was never in a room.

  absl::flat_hash_set<std::string> ignored_;
  // Room account data changed since the token: room id -> events.
  absl::flat_hash_map<std::string, boost::json::array> room_account_data_;
  absl::flat_hash_set<std::string> typing_rooms_;
  std::optional<absl::flat_hash_set<std::string>> receipt_rooms_;
  std::optional<absl::flat_hash_set<storage::RoomNid>> my_joined_rooms_;
  // The event stream since the token, when CandidateRooms read all of it.
  std::optional<std::vector<storage::StreamEntry>> new_events_;

  boost::json::object join_, invite_, knock_, leave_;
  boost::json::array account_data_, presence_, to_device_;
};

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_SYNC_BUILDER_H_
