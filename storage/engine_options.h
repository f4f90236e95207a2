// Options of storage::Engine: a plain struct, every field with its default.
#ifndef MYELIN_STORAGE_ENGINE_OPTIONS_H_
#define MYELIN_STORAGE_ENGINE_OPTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "dag/base/clock.h"

namespace myelin::storage {

// Where the database lives inside the server's data_dir: "<data_dir>/db".
// The server and myelin-admin both use this, so they agree.
inline std::string DatabasePathIn(std::string_view data_dir) {
  std::string path(data_dir);
  if (!path.empty() && path.back() != '/') path += '/';
  return path + "db";
}

struct EngineOptions {
  // Directory of the RocksDB database. Required.
  std::string path;

  // The Matrix server_name the database belongs to. Recorded when the
  // database is created (required then); on later opens a different name is
  // refused, because ids and signatures in the data embed it. Empty: not
  // checked (tools).
  std::string server_name;

  // Total memory for RocksDB: one block cache of exactly this capacity
  // (strict), with memtables charged to it. Must be >= 16 MiB
  // (kMinMemoryBudgetBytes). Default: 256 MiB.
  uint64_t memory_budget_bytes = 256ull << 20;

  // When true, every commit group fsyncs the WAL before Write() returns
  // (WriteOptions::sync): an acknowledged write survives power loss and
  // kernel crashes. When false, an acknowledged write survives a crash of the
  // process (the WAL is in the OS page cache) but the last few seconds of
  // writes may be lost on power loss; writes are then several times faster
  // on disks with slow fsync. Concurrent writers share one fsync (group
  // commit), so the cost is per group, not per write. Default: true.
  bool sync_writes = true;

  // Create the database (and its directory) if missing. Default: true.
  // Tools set it to false so a typo in a path is an error.
  bool create_if_missing = true;

  // Open below the schema: do not initialise, check or migrate the schema
  // version and do not check server_name. For tools that handle bytes, not
  // rows (backup, stats, compaction), which must also work on a database
  // written by a newer release. Requires create_if_missing = false.
  // Default: false.
  bool skip_schema_checks = false;

  // Source of the creation time in the database-info record. nullptr: the
  // system clock. Not owned; must outlive Open().
  const Clock* clock = nullptr;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ENGINE_OPTIONS_H_
