// The forward extremities of rooms, mirrored in memory.
//
// Why: every send deletes its prev event's row of `roomnid_extremities` and
// adds its own, so a prefix scan of a busy room walks the tombstones of all
// recent sends until compaction drops them; it was half the server time of
// the send workload. Persist (which holds the room's lock) applies each
// committed change here; a miss reads the family once.
//
// A read that misses records the room's version before reading RocksDB and
// stores its result only if no commit changed the room meanwhile, so a slow
// reader never overwrites a newer set. Thread-safe.
#ifndef MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_
#define MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
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
  struct Entry {
    bool known = false;
    std::vector<EventNid> extremities;
    uint64_t version = 0;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<RoomNid, Entry> rooms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_EXTREMITY_CACHE_H_
