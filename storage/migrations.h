// Schema versions and the migration runner.
//
// The `meta` row kSchemaVersion holds the version of the data layout. A new
// database is created at kCurrentSchemaVersion. Opening an older one runs
// the migrations from its version up, in order; each migration stages its
// changes in one WriteBatch, and the runner adds the version bump to that
// same batch and commits it with fsync. So a migration is applied exactly
// once: a crash before the commit leaves the old version (and data), and the
// next start runs it again from scratch; a crash after it leaves the new
// version, and the next start goes on with the following migration. Opening
// a database whose version is newer than the release supports is refused.
//
// A migration too large for one batch must be resumable on its own (record
// progress in `meta` in each batch) and bump the version in its last batch.
#ifndef MYELIN_STORAGE_MIGRATIONS_H_
#define MYELIN_STORAGE_MIGRATIONS_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>

#include "absl/status/status.h"
#include "rocksdb/write_batch.h"

namespace myelin::storage {

class Engine;

// Version 1: the `meta` column family (schema version, database info).
inline constexpr uint64_t kCurrentSchemaVersion = 1;

struct Migration {
  // The version this migration produces; it runs on a database at
  // to_version - 1.
  uint64_t to_version;
  std::string_view description;
  // Reads through `engine` and stages every change in `batch`. Must not call
  // engine.Write() itself. An error aborts start-up with nothing written.
  std::function<absl::Status(Engine& engine, rocksdb::WriteBatch& batch)> apply;
};

struct MigrationPlan {
  uint64_t current_version = kCurrentSchemaVersion;
  // Ordered by to_version: 2, 3, ..., current_version, none missing.
  std::span<const Migration> migrations;
};

// The migrations of this release.
const MigrationPlan& DefaultMigrationPlan();

// InvalidArgument unless plan.migrations is exactly 2..current_version.
absl::Status ValidateMigrationPlan(const MigrationPlan& plan);

// Brings the database from `from_version` to plan.current_version.
// FailedPrecondition, naming both versions, if from_version is newer.
// REQUIRES: ValidateMigrationPlan(plan).ok().
absl::Status RunMigrations(Engine& engine, const MigrationPlan& plan,
                           uint64_t from_version);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_MIGRATIONS_H_
