#include "storage/migrations.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/engine.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {

const MigrationPlan& DefaultMigrationPlan() {
  // Append here: {2, "what changes", &MigrateTo2}, ... and bump
  // kCurrentSchemaVersion. Each one is tested against a database written at
  // the previous version.
  static const auto* const kMigrations = new std::vector<Migration>{};
  static const auto* const kPlan =
      new MigrationPlan{kCurrentSchemaVersion, *kMigrations};
  return *kPlan;
}

absl::Status ValidateMigrationPlan(const MigrationPlan& plan) {
  if (plan.current_version < 1 ||
      plan.migrations.size() != plan.current_version - 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("migrations: version ", plan.current_version, " needs ",
                     plan.current_version - 1, " migrations, have ",
                     plan.migrations.size()));
  }
  for (size_t i = 0; i < plan.migrations.size(); ++i) {
    const Migration& m = plan.migrations[i];
    if (m.to_version != i + 2 || !m.apply) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migrations: entry ", i, " must migrate to version ", i + 2));
    }
  }
  return absl::OkStatus();
}

absl::Status RunMigrations(Engine& engine, const MigrationPlan& plan,
                           uint64_t from_version) {
  if (from_version > plan.current_version) {
    return absl::FailedPreconditionError(absl::StrCat(
        "storage: database at ", engine.options().path, " has schema version ",
        from_version, ", newer than version ", plan.current_version,
        " that this release of Myelin supports; run a newer release or "
        "restore a backup made by this one"));
  }
  if (from_version == 0) {
    return absl::DataLossError("storage: schema version 0 is not valid");
  }
  for (uint64_t version = from_version; version < plan.current_version;
       ++version) {
    const Migration& migration = plan.migrations[version - 1];
    MLOG(INFO) << "storage: migrating schema " << version << " -> "
               << migration.to_version << ": " << migration.description;
    rocksdb::WriteBatch batch;
    absl::Status applied = migration.apply(engine, batch);
    if (!applied.ok()) {
      return absl::Status(
          applied.code(),
          absl::StrCat("migration to schema version ", migration.to_version,
                       " (", AV(migration.description),
                       ") failed: ", applied.message()));
    }
    // The bump rides in the migration's own batch: both land or neither.
    RETURN_IF_ERROR(
        FromRocks(batch.Put(engine.cf(Cf::kMeta),
                            keys::EncodeMetaKey(keys::MetaRow::kSchemaVersion),
                            keys::U64Value::Encode(migration.to_version)),
                  "stage schema version"));
    RETURN_IF_ERROR(engine.WriteSynced(batch));
  }
  return absl::OkStatus();
}

}  // namespace myelin::storage
