#include "server/sync/presence.h"

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/strings.h"

namespace myelin::sync {

absl::StatusOr<PresenceState> ParsePresenceState(std::string_view text) {
  if (text == "online") return PresenceState::kOnline;
  if (text == "unavailable") return PresenceState::kUnavailable;
  if (text == "offline") return PresenceState::kOffline;
  return InvalidParam(absl::StrCat("unknown presence state ", AV(text)));
}

std::string_view PresenceStateName(PresenceState state) {
  switch (state) {
    case PresenceState::kOnline: return "online";
    case PresenceState::kUnavailable: return "unavailable";
    case PresenceState::kOffline: return "offline";
  }
  return "offline";
}

void PresenceTracker::Set(std::string_view user_id, PresenceState state,
                          std::optional<std::string> status_msg) {
  if (!enabled_) return;
  int64_t now = clock_->NowMillis();
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = users_[AV(user_id)];
    entry.state = state;
    entry.went_idle = false;
    if (status_msg.has_value()) {
      entry.status_msg =
          status_msg->empty() ? std::nullopt : std::move(status_msg);
    }
    if (state == PresenceState::kOnline) entry.last_active_millis = now;
    entry.stream = ++position_;
  }
  if (listener_) listener_(user_id);
}

void PresenceTracker::Touch(std::string_view user_id) {
  if (!enabled_) return;
  int64_t now = clock_->NowMillis();
  bool was_idle;
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = users_[AV(user_id)];
    was_idle = entry.state != PresenceState::kOnline ||
               now - entry.last_active_millis > kCurrentlyActiveMillis;
    entry.last_active_millis = now;
    if (entry.state == PresenceState::kOffline || entry.went_idle) {
      entry.state = PresenceState::kOnline;
      entry.went_idle = false;
    }
    // Only a visible change moves the stream, not every request.
    if (was_idle) entry.stream = ++position_;
  }
  if (was_idle && listener_) listener_(user_id);
}

PresenceView PresenceTracker::ViewLocked(const Entry& entry,
                                         int64_t now) const {
  PresenceView view;
  view.state = entry.state;
  view.status_msg = entry.status_msg;
  view.stream = entry.stream;
  if (entry.last_active_millis > 0) {
    int64_t ago = now - entry.last_active_millis;
    view.last_active_ago_millis = ago;
    view.currently_active =
        entry.state == PresenceState::kOnline && ago <= kCurrentlyActiveMillis;
    if (entry.state == PresenceState::kOnline && ago > kIdleMillis) {
      view.state = PresenceState::kUnavailable;
    }
  }
  return view;
}

PresenceView PresenceTracker::Get(std::string_view user_id) const {
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  auto it = users_.find(AV(user_id));
  if (!enabled_ || it == users_.end()) return PresenceView();
  return ViewLocked(it->second, now);
}

std::vector<std::pair<std::string, PresenceView>> PresenceTracker::ChangedSince(
    uint64_t since) const {
  int64_t now = clock_->NowMillis();
  std::vector<std::pair<std::string, PresenceView>> changed;
  absl::MutexLock lock(&mu_);
  for (const auto& [user, entry] : users_) {
    if (entry.stream > since) changed.emplace_back(user, ViewLocked(entry, now));
  }
  return changed;
}

size_t PresenceTracker::SweepIdle() {
  if (!enabled_) return 0;
  int64_t now = clock_->NowMillis();
  std::vector<std::string> idle;
  {
    absl::MutexLock lock(&mu_);
    for (auto& [user, entry] : users_) {
      if (entry.state == PresenceState::kOnline &&
          now - entry.last_active_millis > kIdleMillis) {
        entry.state = PresenceState::kUnavailable;
        entry.went_idle = true;
        entry.stream = ++position_;
        idle.push_back(user);
      }
    }
  }
  if (listener_) {
    for (const std::string& user : idle) listener_(user);
  }
  return idle.size();
}

uint64_t PresenceTracker::Position() const {
  absl::MutexLock lock(&mu_);
  return position_;
}

}  // namespace myelin::sync
