// Rooms a user has forgotten (Spec: client-server-api, POST
// /rooms/{roomId}/forget): such a room drops out of the user's /sync and
// history. A forget is tied to the member event current when it was made,
// so rejoining (a new member event) ends it without any write.
//
// Thread-safe; the Engine must outlive the store.
#ifndef MYELIN_STORAGE_MEMBERSHIP_FORGOTTEN_STORE_H_
#define MYELIN_STORAGE_MEMBERSHIP_FORGOTTEN_STORE_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/engine.h"

namespace myelin::storage {

class ForgottenStore {
 public:
  explicit ForgottenStore(Engine* engine) : engine_(engine) {}

  // Records that `user_id` forgot `room_nid` while `member_event_nid` was
  // their membership.
  absl::Status Forget(std::string_view user_id, uint64_t room_nid,
                      uint64_t member_event_nid);

  // Whether the user forgot the room and has not changed membership since.
  absl::StatusOr<bool> IsForgotten(std::string_view user_id, uint64_t room_nid,
                                   uint64_t current_member_event_nid) const;

  // Every room nid the user ever forgot (callers compare member events).
  absl::StatusOr<std::vector<uint64_t>> ForgottenRooms(
      std::string_view user_id) const;

 private:
  Engine* engine_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_MEMBERSHIP_FORGOTTEN_STORE_H_
