#include "storage/events/extremity_cache.h"

#include <algorithm>

namespace myelin::storage {

ExtremityCache::Lookup ExtremityCache::Get(RoomNid room) const {
  RoomCache<std::vector<EventNid>>::Lookup lookup = cache_.Get(room);
  return {std::move(lookup.value), lookup.version};
}

void ExtremityCache::Fill(RoomNid room, uint64_t version,
                          std::vector<EventNid> extremities) {
  std::sort(extremities.begin(), extremities.end());
  cache_.Fill(room, version, std::move(extremities));
}

void ExtremityCache::Apply(RoomNid room, const std::vector<EventNid>& removed,
                           EventNid added) {
  cache_.Apply(room, [&](std::vector<EventNid>& set) {
    for (EventNid nid : removed) {
      set.erase(std::remove(set.begin(), set.end(), nid), set.end());
    }
    if (added != 0 && std::find(set.begin(), set.end(), added) == set.end()) {
      set.insert(std::upper_bound(set.begin(), set.end(), added), added);
    }
  });
}

}  // namespace myelin::storage
