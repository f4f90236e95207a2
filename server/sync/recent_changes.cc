#include "server/sync/recent_changes.h"

#include "absl/container/flat_hash_set.h"

namespace myelin::sync {

void RecentChanges::Record(std::string_view scope, uint64_t stream) {
  absl::MutexLock lock(&mu_);
  if (stream <= floor_) return;
  changes_.emplace(stream, std::string(scope));
  while (changes_.size() > capacity_) {
    floor_ = changes_.begin()->first;
    changes_.erase(changes_.begin());
  }
}

std::optional<std::vector<std::string>> RecentChanges::ChangedSince(
    uint64_t since) const {
  absl::MutexLock lock(&mu_);
  if (since < floor_) return std::nullopt;
  std::vector<std::string> scopes;
  absl::flat_hash_set<std::string_view> seen;
  for (auto it = changes_.upper_bound(since); it != changes_.end(); ++it) {
    if (seen.insert(it->second).second) scopes.push_back(it->second);
  }
  return scopes;
}

}  // namespace myelin::sync
