// EventStore::Impl: the state behind the public EventStore (event_store.h).
// Internal to storage/events.
#ifndef MYELIN_STORAGE_EVENTS_EVENT_STORE_IMPL_H_
#define MYELIN_STORAGE_EVENTS_EVENT_STORE_IMPL_H_

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "absl/synchronization/mutex.h"
#include "rocksdb/write_batch.h"
#include "storage/events/event_store.h"
#include "storage/events/nid_table.h"
#include "storage/events/extremity_cache.h"
#include "storage/events/room_cache.h"
#include "storage/events/stream_tracker.h"
#include "storage/state/snapshot_store.h"

namespace myelin::storage {

class EventStore::Impl {
 public:
  struct LastNids {
    uint64_t room = 0, event = 0, user = 0, state_key = 0, snapshot = 0,
             stream = 0;
  };
  Impl(Engine& engine, const EventStoreOptions& options, const LastNids& last);

  Engine& engine;
  const EventStoreOptions options;
  NidTable rooms;
  NidTable events;
  NidTable users;
  NidTable state_keys;
  SnapshotStore snapshots;
  StreamTracker stream;
  ExtremityCache extremities;
  RoomCache<MemberCounts> member_counts;

  // Persist holds the stripe of its room for the whole write, so writes to
  // one room are serialised and see each other's results.
  static constexpr size_t kRoomStripes = 64;
  std::array<absl::Mutex, kRoomStripes> room_locks;
  absl::Mutex& RoomLock(std::string_view room_id);

  // Reads shared by the public methods and Persist.
  absl::StatusOr<EventMeta> Meta(EventNid event) const;
  absl::StatusOr<RoomInfo> Room(RoomNid room) const;
  absl::StatusOr<SnapshotNid> CurrentSnapshot(RoomNid room) const;
  absl::StatusOr<StateKey> GetStateKey(StateKeyNid nid) const;
};

// Runs the whole of EventStore::Persist (persist.cc).
absl::StatusOr<PersistedEvent> PersistEvent(EventStore::Impl& impl,
                                            const PersistRequest& request);

// Finds the last key of a family holding u64 keys (NidKey): the highest
// nid stored, or 0.
absl::StatusOr<uint64_t> LastNidIn(const Engine& engine, Cf cf);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_EVENT_STORE_IMPL_H_
