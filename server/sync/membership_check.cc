#include "server/sync/membership_check.h"

#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"

namespace myelin::sync {

absl::StatusOr<storage::RoomInfo> JoinedRoom(const storage::EventStore& store,
                                             std::string_view room_id,
                                             std::string_view user_id) {
  absl::Status forbidden = Forbidden("You are not in this room");
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(room_id);
  if (!room.ok()) return absl::IsNotFound(room.status()) ? forbidden : room.status();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(user_id);
  if (!user.ok()) return absl::IsNotFound(user.status()) ? forbidden : user.status();
  ASSIGN_OR_RETURN(storage::Membership membership,
                   store.MembershipOf(room->room_nid, *user));
  if (membership != storage::Membership::kJoin) return forbidden;
  return room;
}

}  // namespace myelin::sync
