#include "server/sync/typing.h"

#include <algorithm>

#include "dag/base/strings.h"

namespace myelin::sync {

void TypingTracker::ExpireLocked(Room& room, int64_t now) {
  bool changed = false;
  for (auto it = room.expiry_millis.begin(); it != room.expiry_millis.end();) {
    if (it->second <= now) {
      room.expiry_millis.erase(it++);
      changed = true;
    } else {
      ++it;
    }
  }
  if (changed) room.stream = ++position_;
}

void TypingTracker::ExpireAllLocked(int64_t now) {
  for (auto& [id, room] : rooms_) ExpireLocked(room, now);
}

void TypingTracker::Set(std::string_view room_id, std::string_view user_id,
                        bool typing, int64_t timeout_millis) {
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  Room& room = rooms_[AV(room_id)];
  ExpireLocked(room, now);
  std::string user(user_id);
  if (typing) {
    int64_t timeout = std::clamp<int64_t>(timeout_millis, 0, kMaxTimeoutMillis);
    room.expiry_millis[user] = now + timeout;
  } else if (room.expiry_millis.erase(user) == 0) {
    return;  // Was not typing: nothing changed.
  }
  room.stream = ++position_;
}

TypingTracker::RoomTyping TypingTracker::InRoom(std::string_view room_id) {
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  RoomTyping result;
  auto it = rooms_.find(AV(room_id));
  if (it == rooms_.end()) return result;
  ExpireLocked(it->second, now);
  for (const auto& [user, expiry] : it->second.expiry_millis) {
    result.user_ids.push_back(user);
  }
  std::sort(result.user_ids.begin(), result.user_ids.end());
  result.stream = it->second.stream;
  return result;
}

uint64_t TypingTracker::Position() {
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  ExpireAllLocked(now);
  return position_;
}

}  // namespace myelin::sync
