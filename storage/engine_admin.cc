// Engine operations for operators: statistics, checkpoints, compaction.
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "rocksdb/statistics.h"
#include "rocksdb/utilities/checkpoint.h"
#include "storage/engine.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

uint64_t IntProperty(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* handle,
                     const std::string& property) {
  uint64_t value = 0;
  // A property RocksDB cannot compute reads as 0: stats are best effort.
  if (!db.GetIntProperty(handle, property, &value)) return 0;
  return value;
}

}  // namespace

ColumnFamilyStats Engine::StatsOf(rocksdb::ColumnFamilyHandle* handle,
                                  bool known) const {
  using P = rocksdb::DB::Properties;
  ColumnFamilyStats stats;
  stats.name = handle->GetName();
  stats.known = known;
  stats.estimated_keys = IntProperty(*db_, handle, P::kEstimateNumKeys);
  stats.sst_bytes = IntProperty(*db_, handle, P::kTotalSstFilesSize);
  stats.blob_bytes = IntProperty(*db_, handle, P::kTotalBlobFileSize);
  stats.estimated_live_data_bytes =
      IntProperty(*db_, handle, P::kEstimateLiveDataSize);
  stats.memtable_bytes = IntProperty(*db_, handle, P::kCurSizeAllMemTables);
  return stats;
}

EngineStats Engine::Stats() const {
  EngineStats stats;
  stats.memory_budget_bytes = budget_.budget_bytes;
  stats.block_cache_usage_bytes = budget_.cache->GetUsage();
  stats.block_cache_pinned_bytes = budget_.cache->GetPinnedUsage();
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    stats.column_families.push_back(StatsOf(handle, /*known=*/true));
  }
  for (rocksdb::ColumnFamilyHandle* handle : other_handles_) {
    bool known = handle->GetName() == rocksdb::kDefaultColumnFamilyName;
    stats.column_families.push_back(StatsOf(handle, known));
  }
  if (statistics_ != nullptr) {
    stats.block_cache_hits =
        statistics_->getTickerCount(rocksdb::BLOCK_CACHE_HIT);
    stats.block_cache_misses =
        statistics_->getTickerCount(rocksdb::BLOCK_CACHE_MISS);
    stats.block_cache_add_failures =
        statistics_->getTickerCount(rocksdb::BLOCK_CACHE_ADD_FAILURES);
    stats.wal_syncs = statistics_->getTickerCount(rocksdb::WAL_FILE_SYNCED);
  }
  for (const ColumnFamilyStats& cf : stats.column_families) {
    stats.memtable_bytes += cf.memtable_bytes;
    stats.total_sst_bytes += cf.sst_bytes;
    stats.total_blob_bytes += cf.blob_bytes;
    stats.estimated_live_data_bytes += cf.estimated_live_data_bytes;
  }
  return stats;
}

absl::Status Engine::CreateCheckpoint(const std::string& target_dir) {
  std::error_code ec;
  if (std::filesystem::exists(target_dir, ec)) {
    return absl::AlreadyExistsError(absl::StrCat(
        "checkpoint: ", target_dir, " already exists; choose a new directory"));
  }
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocks(checkpoint->CreateCheckpoint(target_dir),
                   absl::StrCat("checkpoint to ", target_dir));
}

absl::Status Engine::CompactAll() {
  rocksdb::CompactRangeOptions compact_options;
  // Rewrite the last level too, so deleted data is really reclaimed.
  compact_options.bottommost_level_compaction =
      rocksdb::BottommostLevelCompaction::kForceOptimized;
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(),
                                                handles_.end());
  all.insert(all.end(), other_handles_.begin(), other_handles_.end());
  for (rocksdb::ColumnFamilyHandle* handle : all) {
    RETURN_IF_ERROR(
        FromRocks(db_->CompactRange(compact_options, handle, nullptr, nullptr),
                  absl::StrCat("compact ", handle->GetName())));
  }
  return absl::OkStatus();
}

}  // namespace myelin::storage
