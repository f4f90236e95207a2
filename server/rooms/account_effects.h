// What account changes do to rooms:
// - Spec: client-server-api, "Events on change of profile information" —
//   a new displayname or avatar_url is sent as an updated m.room.member
//   join event into every room the user is joined to.
// - Spec: "Account deactivation" — the server makes a deactivated user
//   leave every room (joined, invited, knocked).
#ifndef MYELIN_SERVER_ROOMS_ACCOUNT_EFFECTS_H_
#define MYELIN_SERVER_ROOMS_ACCOUNT_EFFECTS_H_

#include <string_view>

#include "absl/status/status.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {

// Sends the updated member event into each joined room. Rooms where the
// user may not (any longer) send are skipped; the first other error stops
// and is returned.
absl::Status PropagateProfile(const RoomsContext& context,
                              std::string_view user_id,
                              const MemberProfile& profile);

// Leaves (or rejects the invite to, or withdraws the knock on) every room.
absl::Status LeaveAllRooms(const RoomsContext& context,
                           std::string_view user_id);

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_ACCOUNT_EFFECTS_H_
