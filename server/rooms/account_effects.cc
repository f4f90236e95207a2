#include "server/rooms/account_effects.h"

#include "dag/base/log.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"

namespace myelin::rooms {
namespace {

using storage::Membership;

absl::StatusOr<std::vector<storage::UserRoom>> RoomsOf(
    const RoomsContext& context, std::string_view user_id) {
  storage::EventStore& store = context.writer->store();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(user_id);
  if (absl::IsNotFound(user.status())) return std::vector<storage::UserRoom>{};
  RETURN_IF_ERROR(user.status());
  return store.RoomsOfUser(*user);
}

absl::Status SendMember(const RoomsContext& context, storage::RoomNid room_nid,
                        std::string_view user_id,
                        boost::json::object content) {
  ASSIGN_OR_RETURN(storage::RoomInfo room,
                   context.writer->store().GetRoom(room_nid));
  event::EventDraft draft;
  draft.room_id = room.room_id;
  draft.type = "m.room.member";
  draft.state_key = std::string(user_id);
  draft.sender = std::string(user_id);
  draft.content = std::move(content);
  absl::Status status = context.writer->Send(draft).status();
  if (ErrcodeOf(status) == errcode::kForbidden) {
    MLOG(INFO) << "not updating membership of " << user_id << " in "
               << room.room_id << ": " << status.message();
    return absl::OkStatus();
  }
  return status;
}

}  // namespace

absl::Status PropagateProfile(const RoomsContext& context,
                              std::string_view user_id,
                              const MemberProfile& profile) {
  ASSIGN_OR_RETURN(auto rooms, RoomsOf(context, user_id));
  for (const storage::UserRoom& room : rooms) {
    if (room.membership != Membership::kJoin) continue;
    ASSIGN_OR_RETURN(storage::RoomInfo info,
                     context.writer->store().GetRoom(room.room_nid));
    ASSIGN_OR_RETURN(auto current, context.writer->CurrentState(
                                       info.room_id, "m.room.member", user_id));
    // Keep what else the member event carries; replace the profile.
    boost::json::object content = current->pdu.content();
    content.erase("displayname");
    content.erase("avatar_url");
    content.erase("reason");
    if (!profile.displayname.empty()) content["displayname"] = profile.displayname;
    if (!profile.avatar_url.empty()) content["avatar_url"] = profile.avatar_url;
    RETURN_IF_ERROR(SendMember(context, room.room_nid, user_id, std::move(content)));
  }
  return absl::OkStatus();
}

absl::Status LeaveAllRooms(const RoomsContext& context,
                           std::string_view user_id) {
  ASSIGN_OR_RETURN(auto rooms, RoomsOf(context, user_id));
  for (const storage::UserRoom& room : rooms) {
    if (room.membership != Membership::kJoin &&
        room.membership != Membership::kInvite &&
        room.membership != Membership::kKnock) {
      continue;
    }
    RETURN_IF_ERROR(SendMember(context, room.room_nid, user_id,
                               {{"membership", "leave"}}));
  }
  return absl::OkStatus();
}

}  // namespace myelin::rooms
