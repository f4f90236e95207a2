#include "storage/tuning.h"

#include <algorithm>
#include <bit>
#include <thread>

#include "rocksdb/filter_policy.h"
#include "rocksdb/statistics.h"
#include "rocksdb/table.h"

namespace myelin::storage {
namespace {

// Shards of at least 4 MiB: with strict_capacity_limit every shard enforces
// its own slice of the budget, and a tiny shard would refuse ordinary blocks.
constexpr uint64_t kMinShardBytes = 4ull << 20;
constexpr int kMaxShardBits = 6;

int ShardBitsFor(uint64_t budget_bytes) {
  uint64_t shards = std::max<uint64_t>(1, budget_bytes / kMinShardBytes);
  return std::min(kMaxShardBits, static_cast<int>(std::bit_width(shards)) - 1);
}

rocksdb::BlockBasedTableOptions TableOptions(const MemoryBudget& budget,
                                             size_t block_size,
                                             bool bloom_filter) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = budget.cache;
  table.block_size = block_size;
  // Index and filter blocks count against the budget too; pinning L0's keeps
  // the most-read ones from being evicted by data blocks.
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.format_version = 5;
  if (bloom_filter) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.optimize_filters_for_memory = true;
  }
  return table;
}

// Each memtable is at most 1/8 of the budget so that several families can
// fill theirs before the write buffer manager forces a flush.
size_t WriteBufferSize(const MemoryBudget& budget, size_t preset_max) {
  return std::min<size_t>(preset_max, budget.budget_bytes / 8);
}

}  // namespace

MemoryBudget MakeMemoryBudget(uint64_t budget_bytes) {
  MemoryBudget budget;
  budget.budget_bytes = budget_bytes;
  rocksdb::LRUCacheOptions cache_options;
  cache_options.capacity = budget_bytes;
  cache_options.num_shard_bits = ShardBitsFor(budget_bytes);
  cache_options.strict_capacity_limit = true;
  // Index and filter blocks go to the high-priority pool first.
  cache_options.high_pri_pool_ratio = 0.2;
  budget.cache = rocksdb::NewLRUCache(cache_options);
  // Memtables may use a quarter of the budget before flushes are forced;
  // their memory is reserved in the cache, shrinking what blocks may use.
  budget.write_buffers = std::make_shared<rocksdb::WriteBufferManager>(
      budget_bytes / 4, budget.cache, /*allow_stall=*/false);
  return budget;
}

rocksdb::ColumnFamilyOptions ColumnFamilyOptionsFor(
    Preset preset, const MemoryBudget& budget) {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kLZ4Compression;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  switch (preset) {
    case Preset::kSmall:
      cf.write_buffer_size = WriteBufferSize(budget, 1 << 20);
      table = TableOptions(budget, 4 << 10, /*bloom_filter=*/false);
      break;
    case Preset::kPointLookup:
      cf.write_buffer_size = WriteBufferSize(budget, 64 << 20);
      table = TableOptions(budget, 4 << 10, /*bloom_filter=*/true);
      // Lookups of keys that exist dominate; skip the last level's filter.
      cf.optimize_filters_for_hits = true;
      break;
    case Preset::kPrefixScan:
      cf.write_buffer_size = WriteBufferSize(budget, 64 << 20);
      table = TableOptions(budget, 16 << 10, /*bloom_filter=*/false);
      break;
    case Preset::kBlob:
      cf.write_buffer_size = WriteBufferSize(budget, 64 << 20);
      table = TableOptions(budget, 4 << 10, /*bloom_filter=*/true);
      cf.enable_blob_files = true;
      cf.min_blob_size = 4 << 10;
      cf.blob_file_size = 256 << 20;
      // Media is mostly compressed already (JPEG, PNG, MP4).
      cf.blob_compression_type = rocksdb::kNoCompression;
      cf.enable_blob_garbage_collection = true;
      break;
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

rocksdb::DBOptions MakeDBOptions(const MemoryBudget& budget,
                                 bool create_if_missing) {
  rocksdb::DBOptions db;
  db.create_if_missing = create_if_missing;
  // A release that adds a family creates it on first open.
  db.create_missing_column_families = true;
  db.write_buffer_manager = budget.write_buffers;
  db.max_background_jobs =
      std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  // A family written rarely pins old WAL files until its memtable flushes;
  // past this size RocksDB flushes it so the WAL can be recycled.
  db.max_total_wal_size = 256ull << 20;
  db.keep_log_file_num = 5;
  // Tickers only (no histograms or timers): cheap, and they give /metrics the
  // block cache hit rate and refused insertions of the strict cache.
  db.statistics = rocksdb::CreateDBStatistics();
  db.statistics->set_stats_level(rocksdb::StatsLevel::kExceptHistogramOrTimers);
  db.max_log_file_size = 16 << 20;
  return db;
}

}  // namespace myelin::storage
