// Which scopes (rooms) changed after a stream position, kept in memory for
// a stream whose store only answers "what changed in this scope": /sync
// asks it for the rooms with new receipts instead of asking every room.
//
// Only changes seen since the process started (and at most `capacity` of
// them) are known; below that floor ChangedSince() answers nullopt and the
// caller falls back to asking each of its scopes.
//
// Thread-safe.
#ifndef MYELIN_SERVER_SYNC_RECENT_CHANGES_H_
#define MYELIN_SERVER_SYNC_RECENT_CHANGES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace myelin::sync {

class RecentChanges {
 public:
  // `floor`: the stream position when tracking starts (every change at or
  // below it is unknown).
  RecentChanges(uint64_t floor, size_t capacity = 100'000)
      : capacity_(capacity), floor_(floor) {}

  void Record(std::string_view scope, uint64_t stream);

  // The distinct scopes changed after `since`; nullopt if changes after
  // `since` may have been forgotten.
  std::optional<std::vector<std::string>> ChangedSince(uint64_t since) const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  uint64_t floor_ ABSL_GUARDED_BY(mu_);
  std::map<uint64_t, std::string> changes_ ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_RECENT_CHANGES_H_
