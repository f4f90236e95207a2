// RocksDB options for the engine: the shared memory budget and the
// column-family presets of the registry.
#ifndef MYELIN_STORAGE_TUNING_H_
#define MYELIN_STORAGE_TUNING_H_

#include <cstdint>
#include <memory>

#include "rocksdb/cache.h"
#include "rocksdb/options.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/column_families.h"

namespace myelin::storage {

// Below this the cache is too small to hold the index and filter blocks of a
// modest database, and reads start failing with ResourceExhausted.
inline constexpr uint64_t kMinMemoryBudgetBytes = 16ull << 20;

// The memory shared by every column family. One LRU block cache with a
// strict capacity of the whole budget; memtables are charged to the same
// cache through the WriteBufferManager, so block cache + memtables (+ index
// and filter blocks, which live in the cache) stay within the budget.
//
// Thread-safe (RocksDB's Cache and WriteBufferManager are). Must outlive the
// DB that uses it.
struct MemoryBudget {
  uint64_t budget_bytes = 0;
  std::shared_ptr<rocksdb::Cache> cache;
  std::shared_ptr<rocksdb::WriteBufferManager> write_buffers;
};

// REQUIRES: budget_bytes >= kMinMemoryBudgetBytes.
MemoryBudget MakeMemoryBudget(uint64_t budget_bytes);

// Options of one column family tuned for `preset`, using `budget`'s cache.
rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(Preset preset,
                                                    const MemoryBudget& budget);

// DB-wide options (background jobs, WAL limits, the write buffer manager,
// ticker statistics).
rocksdb::DBOptions MakeDBOptions(const MemoryBudget& budget,
                                 bool create_if_missing);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_TUNING_H_
