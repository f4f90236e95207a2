// NidTable: one kind of string id <-> dense u64 nid mapping (rooms, events,
// users, (type, state_key) pairs), with race-free allocation.
//
// A writer assigns nids inside a NidClaims and stages the mapping rows into
// its WriteBatch. Until the batch commits the assignment is *pending*: a
// concurrent writer asking for the same id gets the same nid (and stages
// the same rows, which is harmless), so two events persisted at once that
// both introduce user X end up with one nid for X. When every holder has
// finished, the assignment is either durable (some holder committed) or
// forgotten (all failed; the nid is never reused in this process).
//
// Thread safety: all methods are thread-safe. A NidClaims belongs to one
// writer and must be finished (Finish) exactly once.
#ifndef MYELIN_STORAGE_EVENTS_NID_TABLE_H_
#define MYELIN_STORAGE_EVENTS_NID_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/write_batch.h"
#include "storage/engine.h"

namespace myelin::storage {

class NidTable;

// The pending assignments one writer holds.
class NidClaims {
 public:
  NidClaims() = default;
  NidClaims(const NidClaims&) = delete;
  NidClaims& operator=(const NidClaims&) = delete;
  // Finishes any claims still held as failed.
  ~NidClaims();

  // Releases every claim; `committed` says whether the batch that staged
  // them was written.
  void Finish(bool committed);

 private:
  friend class NidTable;
  std::vector<std::pair<NidTable*, std::string>> held_;
};

struct NidTableOptions {
  const char* name = "";  // for errors: "user", "room" ...
  Cf forward;             // key (encoded) -> u64 nid
  // nid -> value bytes; nullopt when the reverse row lives elsewhere (the
  // event meta, the room record) and the caller stages it.
  std::optional<Cf> reverse;
  // When false, a pending assignment held by another writer is an error
  // (AlreadyExists): used for event ids, which exactly one write may claim.
  bool share_pending = true;
  size_t cache_entries = 200'000;
};

class NidTable {
 public:
  NidTable(Engine& engine, const NidTableOptions& options, uint64_t last_nid);

  // The committed nid of `key` (an encoded forward key), NotFound if none.
  absl::StatusOr<uint64_t> Lookup(std::string_view key) const;
  // The committed (or pending) reverse value of `nid`, NotFound if none.
  // Only for tables with a reverse family.
  absl::StatusOr<std::string> Reverse(uint64_t nid) const;

  struct Assigned {
    uint64_t nid = 0;
    bool created = false;  // new (pending) assignment staged into the batch
  };
  // The nid of `key`, assigning one if needed. A new or pending assignment
  // stages the forward row (and the reverse row `reverse_value`, if the
  // table has a reverse family) into `batch` and is recorded in `claims`.
  absl::StatusOr<Assigned> GetOrAssign(std::string_view key,
                                       std::string_view reverse_value,
                                       NidClaims& claims,
                                       rocksdb::WriteBatch& batch);

  // For tables whose reverse rows live elsewhere (events): the cached
  // reverse value, and a way to fill the cache from that other row.
  std::optional<std::string> CachedReverse(uint64_t nid) const;
  void CacheReverse(uint64_t nid, std::string_view value) const;

  uint64_t last_nid() const;

 private:
  friend class NidClaims;
  struct Pending {
    uint64_t nid = 0;
    std::string reverse_value;
    int holders = 0;
    bool committed = false;
  };

  absl::Status StageRows(std::string_view key, uint64_t nid,
                         std::string_view reverse_value,
                         rocksdb::WriteBatch& batch);
  void Release(const std::string& key, bool committed);
  void CacheLocked(std::string key, uint64_t nid, std::string reverse_value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Engine& engine_;
  const NidTableOptions options_;
  mutable absl::Mutex mu_;
  uint64_t last_nid_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Pending> pending_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, std::string> pending_by_nid_
      ABSL_GUARDED_BY(mu_);
  // Committed mappings; cleared wholesale when full (cheap, bounded).
  mutable absl::flat_hash_map<std::string, uint64_t> forward_cache_
      ABSL_GUARDED_BY(mu_);
  mutable absl::flat_hash_map<uint64_t, std::string> reverse_cache_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_EVENTS_NID_TABLE_H_
