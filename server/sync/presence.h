// Presence (Spec: client-server-api, "Presence"): online, unavailable or
// offline, a status message, and when the user was last active. Kept in
// memory: after a restart everyone is offline until their client says
// otherwise, which is what presence means. Each change moves one presence
// stream forward for /sync.
//
// An online user idle for longer than the idle timeout reads as
// unavailable; currently_active means active within the last minute.
// Thread-safe; pure apart from the clock it is given.
#ifndef MYELIN_SERVER_SYNC_PRESENCE_H_
#define MYELIN_SERVER_SYNC_PRESENCE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "dag/base/clock.h"

namespace myelin::sync {

enum class PresenceState { kOnline, kUnavailable, kOffline };

absl::StatusOr<PresenceState> ParsePresenceState(std::string_view text);
std::string_view PresenceStateName(PresenceState state);

struct PresenceView {
  PresenceState state = PresenceState::kOffline;
  std::optional<std::string> status_msg;
  std::optional<int64_t> last_active_ago_millis;  // None if never active.
  bool currently_active = false;
  uint64_t stream = 0;
};

class PresenceTracker {
 public:
  static constexpr int64_t kIdleMillis = 5 * 60 * 1000;
  static constexpr int64_t kCurrentlyActiveMillis = 60 * 1000;

  PresenceTracker(const Clock* clock, bool enabled)
      : clock_(clock), enabled_(enabled) {}

  // Sets the state (and status message when given; an empty message clears
  // it). Setting online counts as activity.
  void Set(std::string_view user_id, PresenceState state,
           std::optional<std::string> status_msg);
  // Marks the user active now (any request of theirs may call this).
  void Touch(std::string_view user_id);

  PresenceView Get(std::string_view user_id) const;
  uint64_t Position() const;

  // Online users idle for longer than kIdleMillis become unavailable as a
  // change of the stream (reads already show them so; this tells /sync).
  // Call periodically. Returns how many went idle.
  size_t SweepIdle();

  // Users whose presence changed after `since`, with their presence now.
  std::vector<std::pair<std::string, PresenceView>> ChangedSince(
      uint64_t since) const;

  // Called after every change that moved the stream, with the user, outside
  // the tracker's lock (to wake /sync long-polls). Set once, before the
  // tracker is shared.
  void SetListener(std::function<void(std::string_view user_id)> listener) {
    listener_ = std::move(listener);
  }
  bool enabled() const { return enabled_; }

 private:
  struct Entry {
    PresenceState state = PresenceState::kOffline;
    std::optional<std::string> status_msg;
    int64_t last_active_millis = 0;  // 0: never.
    // Made unavailable by SweepIdle (not by the user): activity undoes it.
    bool went_idle = false;
    uint64_t stream = 0;
  };

  PresenceView ViewLocked(const Entry& entry, int64_t now) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Clock* clock_;
  const bool enabled_;
  std::function<void(std::string_view)> listener_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> users_ ABSL_GUARDED_BY(mu_);
  uint64_t position_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_PRESENCE_H_
