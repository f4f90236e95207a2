// storage::Engine: the one RocksDB database that holds all of Myelin's state.
//
//   EngineOptions options;
//   options.path = config.data_dir + "/db";
//   options.server_name = config.server_name;
//   options.memory_budget_bytes = config.memory_budget_mb << 20;
//   ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options));
//
//   rocksdb::WriteBatch batch;                      // one logical write
//   batch.Put(engine->cf(Cf::kMeta), key, value);   // keys from storage/keys
//   RETURN_IF_ERROR(engine->Write(batch));
//
// Open() opens every column family of the registry (column_families.h),
// creating missing ones, and also any family it does not know (written by a
// newer release), with a warning, so RocksDB agrees to open the database.
// It then creates or checks the schema version and runs migrations.
//
// Thread safety: after Open() returns, every method may be called from any
// thread concurrently (RocksDB's DB is thread-safe).
// Ownership: the Engine owns the DB, its column-family handles and the
// memory budget. Iterators and snapshots taken from it must be destroyed
// before the Engine (RocksDB asserts on close otherwise).
#ifndef MYELIN_STORAGE_ENGINE_H_
#define MYELIN_STORAGE_ENGINE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "storage/column_families.h"
#include "storage/database_info.h"
#include "storage/engine_options.h"
#include "storage/migrations.h"
#include "storage/tuning.h"

namespace myelin::storage {

struct ColumnFamilyStats {
  std::string name;
  bool known = true;  // false: not in the registry (written by a newer release)
  uint64_t estimated_keys = 0;
  uint64_t sst_bytes = 0;
  uint64_t blob_bytes = 0;
  uint64_t estimated_live_data_bytes = 0;
  uint64_t memtable_bytes = 0;
};

// Sizes for /metrics and `myelin-admin db-stats`. Estimates, cheap to read.
struct EngineStats {
  uint64_t memory_budget_bytes = 0;
  // Block cache in use, including the memtable reservations charged to it:
  // the number to compare with the budget.
  uint64_t block_cache_usage_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
  // Memtables of all families (also included in block_cache_usage_bytes).
  uint64_t memtable_bytes = 0;
  uint64_t total_sst_bytes = 0;
  uint64_t total_blob_bytes = 0;
  uint64_t estimated_live_data_bytes = 0;
  // Counters since Open().
  uint64_t block_cache_hits = 0;
  uint64_t block_cache_misses = 0;
  // Blocks the full strict cache refused; reads that hit it fail with
  // ResourceExhausted. Non-zero means the budget is too small.
  uint64_t block_cache_add_failures = 0;
  uint64_t wal_syncs = 0;
  std::vector<ColumnFamilyStats> column_families;
};

class Engine {
 public:
  // Opens (or creates) the database and brings its schema to the current
  // version. Errors: InvalidArgument (bad options), NotFound (no database
  // and !create_if_missing), FailedPrecondition (in use by another process;
  // schema newer than this release; other server_name), or the RocksDB
  // error converted by FromRocks().
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      const EngineOptions& options);
  // As above with another migration plan. For tests and tools.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(
      const EngineOptions& options, const MigrationPlan& plan);

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  // Closes the database. REQUIRES: no iterator or snapshot is alive.
  ~Engine();

  // The handle of a registry family; owned by the Engine.
  rocksdb::ColumnFamilyHandle* cf(Cf id) const {
    return handles_[static_cast<size_t>(id)];
  }
  // For code in storage/ that needs what this class does not wrap.
  rocksdb::DB* db() const { return db_.get(); }

  // Applies `batch` atomically, fsyncing the WAL if options.sync_writes.
  absl::Status Write(rocksdb::WriteBatch& batch);
  // Applies `batch` atomically and always fsyncs: for rare writes that must
  // not be lost whatever sync_writes says (schema versions).
  absl::Status WriteSynced(rocksdb::WriteBatch& batch);

  // The value at `key`, nullopt if absent.
  absl::StatusOr<std::optional<std::string>> Get(
      Cf cf, std::string_view key,
      const rocksdb::ReadOptions& read_options = {}) const;

  // An iterator over one family. Check status() after iterating; FromRocks()
  // converts it. Must be destroyed before the Engine.
  std::unique_ptr<rocksdb::Iterator> NewIterator(
      Cf cf, const rocksdb::ReadOptions& read_options = {}) const;

  // The schema version stored in `meta`.
  absl::StatusOr<uint64_t> SchemaVersion() const;
  // The record written when the database was created.
  absl::StatusOr<DatabaseInfo> ReadDatabaseInfo() const;

  // Writes a consistent copy of the database to `target_dir`, which must not
  // exist (its parent must). Safe while other threads write: SST files are
  // hard-linked when on the same filesystem, the WAL is copied up to a
  // consistent point. The copy opens like any database.
  absl::Status CreateCheckpoint(const std::string& target_dir);

  // Full manual compaction of every family. Blocks until done.
  absl::Status CompactAll();

  EngineStats Stats() const;

  // Names of families found on disk that the registry does not declare.
  const std::vector<std::string>& unknown_column_families() const {
    return unknown_names_;
  }
  const EngineOptions& options() const { return options_; }

 private:
  Engine(const EngineOptions& options, MemoryBudget budget);

  absl::StatusOr<std::vector<std::string>> FamiliesOnDisk() const;
  std::vector<rocksdb::ColumnFamilyDescriptor> Descriptors(
      const std::vector<std::string>& on_disk);
  absl::Status OpenDb();
  absl::Status InitOrCheckSchema(const MigrationPlan& plan);
  absl::Status CreateSchema(uint64_t version);
  ColumnFamilyStats StatsOf(rocksdb::ColumnFamilyHandle* handle,
                            bool known) const;

  const EngineOptions options_;
  // Declared before db_ so it is destroyed after it.
  MemoryBudget budget_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::unique_ptr<rocksdb::DB> db_;
  std::array<rocksdb::ColumnFamilyHandle*, kNumColumnFamilies> handles_{};
  // "default" and unknown families: opened because RocksDB insists, unused.
  std::vector<rocksdb::ColumnFamilyHandle*> other_handles_;
  std::vector<std::string> unknown_names_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ENGINE_H_
