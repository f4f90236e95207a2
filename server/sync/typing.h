// Typing notifications (Spec: client-server-api, "Typing Notifications").
// Ephemeral by nature: kept in memory only. Each change (start, stop,
// timeout) moves one server-wide typing stream forward; /sync reports a
// room's typing users when its position passed the client's token.
//
// Pure apart from the clock it is given; thread-safe.
#ifndef MYELIN_SERVER_SYNC_TYPING_H_
#define MYELIN_SERVER_SYNC_TYPING_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "dag/base/clock.h"

namespace myelin::sync {

class TypingTracker {
 public:
  // Timeouts above this are cut to it, so a client cannot pin "typing" on.
  static constexpr int64_t kMaxTimeoutMillis = 120'000;

  explicit TypingTracker(const Clock* clock) : clock_(clock) {}

  // `typing` false stops typing at once; true for `timeout_millis`.
  void Set(std::string_view room_id, std::string_view user_id, bool typing,
           int64_t timeout_millis);

  // Users typing in the room now (expired entries are dropped first),
  // sorted. Also returns the room's stream position of its last change.
  struct RoomTyping {
    std::vector<std::string> user_ids;
    uint64_t stream = 0;
  };
  RoomTyping InRoom(std::string_view room_id);

  // The stream position of the newest change (expiries included).
  uint64_t Position();

  // Rooms whose typing list changed after `since` (expiries included).
  std::vector<std::string> RoomsChangedSince(uint64_t since);

  // Called after every change (start, stop, expiry) with the room and, for
  // a start, the milliseconds until it expires (0 otherwise), outside the
  // tracker's lock: for waking /sync long-polls and scheduling the expiry
  // check. Set once, before the tracker is shared.
  using Listener =
      std::function<void(std::string_view room_id, int64_t expires_in_millis)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }

 private:
  struct Room {
    absl::flat_hash_map<std::string, int64_t> expiry_millis;  // by user
    uint64_t stream = 0;
  };
  // True if an entry expired.
  bool ExpireLocked(Room& room, int64_t now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The rooms where an entry expired.
  std::vector<std::string> ExpireAllLocked(int64_t now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Notify(const std::vector<std::string>& rooms) const;

  const Clock* clock_;
  Listener listener_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Room> rooms_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_TYPING_H_
