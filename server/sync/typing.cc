#include "server/sync/typing.h"

#include <algorithm>

#include "dag/base/strings.h"

namespace myelin::sync {

bool TypingTracker::ExpireLocked(Room& room, int64_t now) {
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
  return changed;
}

std::vector<std::string> TypingTracker::ExpireAllLocked(int64_t now) {
  std::vector<std::string> changed;
  for (auto& [id, room] : rooms_) {
    if (ExpireLocked(room, now)) changed.push_back(id);
  }
  return changed;
}

void TypingTracker::Notify(const std::vector<std::string>& rooms) const {
  if (!listener_) return;
  for (const std::string& room : rooms) listener_(room, 0);
}

void TypingTracker::Set(std::string_view room_id, std::string_view user_id,
                        bool typing, int64_t timeout_millis) {
  int64_t now = clock_->NowMillis();
  int64_t timeout = std::clamp<int64_t>(timeout_millis, 0, kMaxTimeoutMillis);
  {
    absl::MutexLock lock(&mu_);
    Room& room = rooms_[AV(room_id)];
    bool expired = ExpireLocked(room, now);
    std::string user(user_id);
    if (typing) {
      room.expiry_millis[user] = now + timeout;
    } else if (room.expiry_millis.erase(user) == 0) {
      if (!expired) return;  // Was not typing: nothing changed.
    }
    room.stream = ++position_;
  }
  if (listener_) listener_(room_id, typing ? timeout : 0);
}

TypingTracker::RoomTyping TypingTracker::InRoom(std::string_view room_id) {
  int64_t now = clock_->NowMillis();
  RoomTyping result;
  bool expired = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = rooms_.find(AV(room_id));
    if (it == rooms_.end()) return result;
    expired = ExpireLocked(it->second, now);
    for (const auto& [user, expiry] : it->second.expiry_millis) {
      result.user_ids.push_back(user);
    }
    result.stream = it->second.stream;
  }
  std::sort(result.user_ids.begin(), result.user_ids.end());
  if (expired) Notify({std::string(room_id)});
  return result;
}

uint64_t TypingTracker::Position() {
  int64_t now = clock_->NowMillis();
  std::vector<std::string> expired;
  uint64_t position;
  {
    absl::MutexLock lock(&mu_);
    expired = ExpireAllLocked(now);
    position = position_;
  }
  Notify(expired);
  return position;
}

std::vector<std::string> TypingTracker::RoomsChangedSince(uint64_t since) {
  int64_t now = clock_->NowMillis();
  std::vector<std::string> expired, changed;
  {
    absl::MutexLock lock(&mu_);
    expired = ExpireAllLocked(now);
    for (const auto& [id, room] : rooms_) {
      if (room.stream > since) changed.push_back(id);
    }
  }
  Notify(expired);
  return changed;
}

}  // namespace myelin::sync
