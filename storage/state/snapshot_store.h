// SnapshotStore: room states stored as deltas against a parent state with a
// bounded chain, read back as full maps through a bounded in-memory cache.
//
// A snapshot is one `snapshotnid_snapshot` record (snapshot.capnp): either
// the full state (parent 0) or the entries that differ from its parent. A
// new snapshot is written full instead of as a delta when the chain of
// deltas down to the nearest full snapshot would exceed `max_chain` records,
// or when the entries of that chain would exceed `max_delta_fraction` of the
// state's size (+ 64). So reading any snapshot reads at most max_chain + 1
// records and about (1 + max_delta_fraction) x its size in entries.
//
// Writes are staged into a caller's WriteBatch together with a SnapshotTxn
// that remembers what was staged, so snapshots staged in the same batch can
// build on each other before the batch commits. After a successful commit,
// Committed() moves maps materialised while staging into the cache.
//
// Thread safety: all methods are thread-safe; a SnapshotTxn belongs to one
// writer. Ownership: the Engine must outlive the store.
#ifndef MYELIN_STORAGE_STATE_SNAPSHOT_STORE_H_
#define MYELIN_STORAGE_STATE_SNAPSHOT_STORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/write_batch.h"
#include "storage/engine.h"
#include "storage/events/types.h"
#include "storage/state/weighted_lru.h"

namespace myelin::storage {

struct SnapshotStoreOptions {
  uint32_t max_chain = 32;
  double max_delta_fraction = 0.5;
  // Cache capacity in state entries: materialised snapshots get this much,
  // decoded records a quarter of it on top.
  size_t cache_entries = 1'000'000;
};

// Snapshots staged into one WriteBatch and not yet committed.
class SnapshotTxn {
 public:
  // What the store staged; only SnapshotStore reads it.
  struct Staged {
    SnapshotNid parent = 0;
    StateDelta delta;  // the whole state when parent == 0
    uint32_t chain_depth = 0;
    uint64_t chain_entries = 0;
    uint64_t size = 0;
    std::shared_ptr<const StateMap> full;  // materialised on demand
  };

 private:
  friend class SnapshotStore;
  absl::flat_hash_map<SnapshotNid, Staged> staged_;
};

class SnapshotStore {
 public:
  // `last_stored`: the highest snapshot nid in the database (0 if none).
  SnapshotStore(Engine& engine, const SnapshotStoreOptions& options,
                SnapshotNid last_stored);

  // The full state of `snapshot`, staged in `txn` or stored. NotFound for
  // an unknown nid, DataLoss for an undecodable record.
  absl::StatusOr<std::shared_ptr<const StateMap>> Read(
      SnapshotNid snapshot, const SnapshotTxn* txn = nullptr) const;

  // Stages the state `parent` + `delta` (parent 0: the empty state). Returns
  // `parent` itself when the delta changes nothing.
  absl::StatusOr<SnapshotNid> StageDelta(RoomNid room, SnapshotNid parent,
                                         StateDelta delta, SnapshotTxn& txn,
                                         rocksdb::WriteBatch& batch);
  // Stages `state`, as a delta against `parent` when that is allowed and
  // smaller (parent 0: always full). Returns `parent` when equal to it.
  absl::StatusOr<SnapshotNid> StageState(RoomNid room, SnapshotNid parent,
                                         const StateMap& state,
                                         SnapshotTxn& txn,
                                         rocksdb::WriteBatch& batch);

  // The changes that turn state `from` into state `to` (from 0: the empty
  // state): for every key that differs, (key, event in `to` or 0). Cheap
  // when `to` is `from` or a delta directly over it.
  absl::StatusOr<StateDelta> Diff(SnapshotNid from, SnapshotNid to,
                                  const SnapshotTxn* txn = nullptr) const;

  // Call after the batch holding `txn` committed.
  void Committed(SnapshotTxn& txn);

  // The record's chain depth (0 for a full snapshot); for tests and stats.
  absl::StatusOr<uint32_t> ChainDepth(SnapshotNid snapshot) const;
  size_t CacheEntries() const;
  size_t CacheBytes() const;

 private:
  struct Record {
    SnapshotNid parent = 0;
    uint32_t chain_depth = 0;
    uint64_t chain_entries = 0;
    uint64_t size = 0;
    StateDelta entries;  // sorted by key
  };
  using RecordPtr = std::shared_ptr<const Record>;

  // The decoded record, through the record cache.
  absl::StatusOr<RecordPtr> GetRecord(SnapshotNid snapshot) const;
  // The event holding `key` in `snapshot` (0: none), without materialising
  // the snapshot: a binary search per record down the chain.
  absl::StatusOr<EventNid> LookupIn(SnapshotNid snapshot, StateKeyNid key,
                                    const SnapshotTxn* txn) const;
  absl::StatusOr<SnapshotNid> Stage(RoomNid room, SnapshotTxn::Staged staged,
                                    SnapshotTxn& txn,
                                    rocksdb::WriteBatch& batch);

  Engine& engine_;
  const SnapshotStoreOptions options_;
  std::atomic<SnapshotNid> last_nid_;
  // Materialised snapshots, weighted by entries.
  mutable WeightedLru<StateMap> maps_;
  // Decoded records (deltas are small; full ones are as big as their
  // state), weighted by entries. A quarter of the map cache's capacity.
  mutable WeightedLru<Record> records_;
};

// Applies a delta to a map in place.
void ApplyDelta(const StateDelta& delta, StateMap& state);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_STATE_SNAPSHOT_STORE_H_
