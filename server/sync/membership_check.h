// "Is this user joined to this room now?" for the ephemeral endpoints
// (typing, receipts). Unknown rooms and users get the same M_FORBIDDEN as
// rooms the user is not in, so room ids do not leak.
#ifndef MYELIN_SERVER_SYNC_MEMBERSHIP_CHECK_H_
#define MYELIN_SERVER_SYNC_MEMBERSHIP_CHECK_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "storage/events/event_store.h"

namespace myelin::sync {

// The room, if `user_id` is joined to it; M_FORBIDDEN otherwise.
absl::StatusOr<storage::RoomInfo> JoinedRoom(const storage::EventStore& store,
                                             std::string_view room_id,
                                             std::string_view user_id);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_MEMBERSHIP_CHECK_H_
