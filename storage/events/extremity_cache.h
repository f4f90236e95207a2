// The forward extremities of rooms, mirrored in memory.
//
// Why: every send deletes its prev event's row of `roomnid_extremities` and
// adds its own, so a prefix scan of a busy room walks the tombstones of all
// recent sends until compaction drops them; it was half the server time of
// the send workload. Persist (which holds the room's lock) applies each
// committed change here; a miss reads the family once (RoomCache).
#ifndef MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_
#define MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_

#include <vector>

#include "storage/events/room_cache.h"
#include "storage/events/types.h"

namespace myelin::storage {

class ExtremityCache {
 public:
  struct Lookup {
    std::optional<std::vector<EventNid>> extremities;  // Sorted ascending.
    uint64_t version = 0;  // Pass to Fill() after a miss.
  };
  Lookup Get(RoomNid room) const;
  // Stores what a reader found, unless a commit came in after Get().
  void Fill(RoomNid room, uint64_t version, std::vector<EventNid> extremities);
  // After a commit: `removed` stopped being extremities, `added` (if not 0)
  // became one.
  void Apply(RoomNid room, const std::vector<EventNid>& removed,
             EventNid added);

 private:
  RoomCache<std::vector<EventNid>> cache_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_
