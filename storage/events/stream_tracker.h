// StreamTracker: hands out stream positions and publishes them only once
// every lower position is done.
//
//   StreamPos pos = tracker.Reserve();   // before building the batch
//   absl::Status s = engine.Write(batch);   // the batch carries `pos`
//   tracker.Finish(pos);                 // committed or abandoned
//
// Writers commit in any order; readers see Published(): the highest P such
// that every position <= P has finished. A /sync that reads up to
// Published() therefore never skips an event whose write is still in flight
// (it would see it later with a position above its token).
//
// A position abandoned on a failed write is never used again in this
// process. After a restart, numbering resumes after the highest *stored*
// position, so a position abandoned at the very top may be handed out
// again; a client token past it could then miss that one event. Abandoning
// happens only on a failed RocksDB write, which is rare and usually fatal.
//
// Thread safety: every method may be called from any thread.
#ifndef MYELIN_STORAGE_EVENTS_STREAM_TRACKER_H_
#define MYELIN_STORAGE_EVENTS_STREAM_TRACKER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "storage/events/types.h"

namespace myelin::storage {

class StreamTracker {
 public:
  // Called with the new Published() position each time it advances, on the
  // thread whose Finish() advanced it, outside the tracker's lock. Must be
  // quick and must not call Finish().
  using Listener = std::function<void(StreamPos published)>;

  // `last_stored`: the highest position already in the database (0 if
  // none). Published() starts there; Reserve() continues above it.
  explicit StreamTracker(StreamPos last_stored);

  StreamTracker(const StreamTracker&) = delete;
  StreamTracker& operator=(const StreamTracker&) = delete;

  // A fresh position, marked in flight. REQUIRES: Finish() is called on it
  // exactly once, whether the write succeeded or not.
  StreamPos Reserve();
  void Finish(StreamPos pos);

  StreamPos Published() const;
  // The highest position reserved so far (published or not).
  StreamPos LastReserved() const;

  // Blocks until Published() >= pos or `deadline` passes; returns
  // Published() at that moment.
  StreamPos WaitForPublished(StreamPos pos, absl::Time deadline) const;

  // Returns an id for RemoveListener. Listeners may be added and removed
  // from any thread, but not from inside a listener.
  int AddListener(Listener listener);
  void RemoveListener(int id);

 private:
  mutable absl::Mutex mu_;
  StreamPos published_ ABSL_GUARDED_BY(mu_);
  StreamPos last_reserved_ ABSL_GUARDED_BY(mu_);
  // Reserved positions above published_: true once finished.
  std::map<StreamPos, bool> pending_ ABSL_GUARDED_BY(mu_);

  // Separate lock so listeners run outside mu_ but never concurrently with
  // their own removal.
  absl::Mutex listeners_mu_;
  int next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;
  StreamPos last_notified_ ABSL_GUARDED_BY(listeners_mu_) = 0;
  std::map<int, Listener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_STREAM_TRACKER_H_
