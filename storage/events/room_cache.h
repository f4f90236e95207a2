// A per-room value mirrored in memory, filled on first read and kept up to
// date by Persist (which holds the room's lock) after each commit.
//
// A read that misses records the room's version before reading RocksDB and
// stores its result only if no commit changed the room meanwhile, so a slow
// reader never overwrites a newer value. Thread-safe.
//
// Used for the forward extremities (ExtremityCache) and the member counts.
#ifndef MYELIN_STORAGE_EVENTS_ROOM_CACHE_H_
#define MYELIN_STORAGE_EVENTS_ROOM_CACHE_H_

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "storage/events/types.h"

namespace myelin::storage {

template <typename Value>
class RoomCache {
 public:
  struct Lookup {
    std::optional<Value> value;
    uint64_t version = 0;  // Pass to Fill() after a miss.
  };

  Lookup Get(RoomNid room) const {
    absl::MutexLock lock(&mu_);
    Lookup lookup;
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return lookup;
    lookup.version = it->second.version;
    lookup.value = it->second.value;
    return lookup;
  }

  // Stores what a reader found, unless a commit came in after Get().
  void Fill(RoomNid room, uint64_t version, Value value) {
    absl::MutexLock lock(&mu_);
    Entry& entry = rooms_[room];
    if (entry.version != version) return;
    entry.value = std::move(value);
  }

  // After a commit: `change(Value&)` updates a known value; an unknown one
  // stays unknown (the next read fills it).
  template <typename Change>
  void Apply(RoomNid room, Change change) {
    absl::MutexLock lock(&mu_);
    Entry& entry = rooms_[room];
    ++entry.version;
    if (entry.value.has_value()) change(*entry.value);
  }

 private:
  struct Entry {
    std::optional<Value> value;
    uint64_t version = 0;
  };
  mutable absl::Mutex mu_;
  absl::flat_hash_map<RoomNid, Entry> rooms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_ROOM_CACHE_H_
