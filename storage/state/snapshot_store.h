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
#include <list>
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

namespace myelin::storage {

// Sorted by state-key nid; an event nid of 0 removes the key.
using StateDelta = std::vector<std::pair<StateKeyNid, EventNid>>;

struct SnapshotStoreOptions {
  uint32_t max_chain = 16;
  double max_delta_fraction = 0.5;
  // Cache capacity in state entries.
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
    StateDelta entries;
  };
  struct Info {
    uint32_t chain_depth = 0;
    uint64_t chain_entries = 0;
    uint64_t size = 0;
  };

  absl::StatusOr<Record> ReadRecord(SnapshotNid snapshot) const;
  absl::StatusOr<Info> InfoOf(SnapshotNid snapshot,
                              const SnapshotTxn* txn) const;
  absl::StatusOr<SnapshotNid> Stage(RoomNid room, SnapshotTxn::Staged staged,
                                    SnapshotTxn& txn,
                                    rocksdb::WriteBatch& batch);
  std::shared_ptr<const StateMap> CacheGet(SnapshotNid snapshot) const;
  void CachePut(SnapshotNid snapshot,
                std::shared_ptr<const StateMap> state) const;

  Engine& engine_;
  const SnapshotStoreOptions options_;
  std::atomic<SnapshotNid> last_nid_;

  // LRU of materialised snapshots, weighted by entries.
  mutable absl::Mutex cache_mu_;
  using LruList =
      std::list<std::pair<SnapshotNid, std::shared_ptr<const StateMap>>>;
  mutable LruList lru_ ABSL_GUARDED_BY(cache_mu_);
  mutable absl::flat_hash_map<SnapshotNid, LruList::iterator> index_
      ABSL_GUARDED_BY(cache_mu_);
  mutable size_t cached_entries_ ABSL_GUARDED_BY(cache_mu_) = 0;
  // Record headers of stored snapshots, for the full-or-delta decision.
  mutable absl::flat_hash_map<SnapshotNid, Info> infos_
      ABSL_GUARDED_BY(cache_mu_);
};

// Applies a delta to a map in place.
void ApplyDelta(const StateDelta& delta, StateMap& state);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_STATE_SNAPSHOT_STORE_H_
