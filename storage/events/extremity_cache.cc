#include "storage/events/extremity_cache.h"

#include <algorithm>

namespace myelin::storage {

ExtremityCache::Lookup ExtremityCache::Get(RoomNid room) const {
  absl::MutexLock lock(&mu_);
  Lookup lookup;
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return lookup;
  lookup.version = it->second.version;
  if (it->second.known) lookup.extremities = it->second.extremities;
  return lookup;
}

void ExtremityCache::Fill(RoomNid room, uint64_t version,
                          std::vector<EventNid> extremities) {
  absl::MutexLock lock(&mu_);
  Entry& entry = rooms_[room];
  if (entry.version != version) return;
  std::sort(extremities.begin(), extremities.end());
  entry.extremities = std::move(extremities);
  entry.known = true;
}

void ExtremityCache::Apply(RoomNid room, const std::vector<EventNid>& removed,
                           EventNid added) {
  absl::MutexLock lock(&mu_);
  Entry& entry = rooms_[room];
  ++entry.version;
  if (!entry.known) return;
  std::vector<EventNid>& set = entry.extremities;
  for (EventNid nid : removed) {
    set.erase(std::remove(set.begin(), set.end(), nid), set.end());
  }
  if (added != 0 && std::find(set.begin(), set.end(), added) == set.end()) {
    set.insert(std::upper_bound(set.begin(), set.end(), added), added);
  }
}

}  // namespace myelin::storage
