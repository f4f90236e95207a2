#include "storage/events/stream_tracker.h"

#include <utility>

namespace myelin::storage {

StreamTracker::StreamTracker(StreamPos last_stored)
    : published_(last_stored), last_reserved_(last_stored) {}

StreamPos StreamTracker::Reserve() {
  absl::MutexLock lock(&mu_);
  StreamPos pos = ++last_reserved_;
  pending_.emplace(pos, false);
  return pos;
}

void StreamTracker::Finish(StreamPos pos) {
  bool advanced = false;
  {
    absl::MutexLock lock(&mu_);
    auto it = pending_.find(pos);
    if (it == pending_.end()) return;  // finished twice: ignore
    it->second = true;
    // Publish the finished prefix: every position up to it is done.
    while (!pending_.empty() && pending_.begin()->second) {
      published_ = pending_.begin()->first;
      pending_.erase(pending_.begin());
      advanced = true;
    }
  }
  if (!advanced) return;
  // Listeners see Published() as read under listeners_mu_, so two threads
  // advancing at once never deliver a position lower than one already
  // delivered.
  absl::MutexLock lock(&listeners_mu_);
  StreamPos published = Published();
  if (published <= last_notified_) return;
  last_notified_ = published;
  for (auto& [id, listener] : listeners_) listener(published);
}

StreamPos StreamTracker::Published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

StreamPos StreamTracker::LastReserved() const {
  absl::MutexLock lock(&mu_);
  return last_reserved_;
}

StreamPos StreamTracker::WaitForPublished(StreamPos pos,
                                          absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto reached = [this, pos]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return published_ >= pos;
  };
  mu_.AwaitWithDeadline(absl::Condition(&reached), deadline);
  return published_;
}

int StreamTracker::AddListener(Listener listener) {
  absl::MutexLock lock(&listeners_mu_);
  int id = next_listener_id_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void StreamTracker::RemoveListener(int id) {
  absl::MutexLock lock(&listeners_mu_);
  listeners_.erase(id);
}

}  // namespace myelin::storage
