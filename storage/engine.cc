#include "storage/engine.h"

#include <filesystem>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

rocksdb::Slice ToSlice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

absl::Status ValidateOptions(const EngineOptions& options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("storage: path is required");
  }
  if (options.memory_budget_bytes < kMinMemoryBudgetBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "storage: memory budget ", options.memory_budget_bytes,
        " bytes is below the minimum of ", kMinMemoryBudgetBytes, " (16 MiB)"));
  }
  // A database created below the schema would have no version row, and the
  // next normal open would take it for a fresh one.
  if (options.skip_schema_checks && options.create_if_missing) {
    return absl::InvalidArgumentError(
        "storage: skip_schema_checks requires create_if_missing = false");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(
    const EngineOptions& options) {
  return Open(options, DefaultMigrationPlan());
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(
    const EngineOptions& options, const MigrationPlan& plan) {
  RETURN_IF_ERROR(ValidateOptions(options));
  std::unique_ptr<Engine> engine(
      new Engine(options, MakeMemoryBudget(options.memory_budget_bytes)));
  RETURN_IF_ERROR(engine->OpenDb());
  RETURN_IF_ERROR(engine->InitOrCheckSchema(plan));
  return engine;
}

Engine::Engine(const EngineOptions& options, MemoryBudget budget)
    : options_(options), budget_(std::move(budget)) {}

Engine::~Engine() {
  if (db_ == nullptr) return;
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(),
                                                handles_.end());
  all.insert(all.end(), other_handles_.begin(), other_handles_.end());
  for (rocksdb::ColumnFamilyHandle* handle : all) {
    if (handle == nullptr) continue;
    absl::Status s =
        FromRocks(db_->DestroyColumnFamilyHandle(handle), "close family");
    if (!s.ok()) {
      MLOG(WARN) << s;
    }
  }
  absl::Status s = FromRocks(db_->Close(), "close");
  if (!s.ok()) {
    MLOG(WARN) << s;
  }
}

absl::StatusOr<std::vector<std::string>> Engine::FamiliesOnDisk() const {
  const std::string& path = options_.path;
  std::error_code ec;
  const bool exists =
      std::filesystem::exists(std::filesystem::path(path) / "CURRENT", ec);
  std::vector<std::string> names;
  if (exists) {
    RETURN_IF_ERROR(FromRocks(
        rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names),
        absl::StrCat("list column families of ", path)));
    return names;
  }
  if (!options_.create_if_missing) {
    return absl::NotFoundError(absl::StrCat("storage: no database at ", path));
  }
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("storage: cannot create ", path, ": ", ec.message()));
  }
  return names;
}

// Registry families first (so handles[i] is Cf i), then "default", then the
// families on disk this release does not know: RocksDB refuses to open a
// database unless every family is named.
std::vector<rocksdb::ColumnFamilyDescriptor> Engine::Descriptors(
    const std::vector<std::string>& on_disk) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    descriptors.emplace_back(std::string(spec.name),
                             ColumnFamilyOptionsFor(spec.preset, budget_));
  }
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           ColumnFamilyOptionsFor(Preset::kSmall, budget_));
  for (const std::string& name : on_disk) {
    if (name == rocksdb::kDefaultColumnFamilyName || FindColumnFamily(name)) {
      continue;
    }
    MLOG(WARN) << "storage: column family '" << name << "' in " << options_.path
               << " is not in this release's registry (written by a newer "
                  "release?); opening it untouched";
    unknown_names_.push_back(name);
    descriptors.emplace_back(name,
                             ColumnFamilyOptionsFor(Preset::kSmall, budget_));
  }
  return descriptors;
}

absl::Status Engine::OpenDb() {
  const std::string& path = options_.path;
  ASSIGN_OR_RETURN(std::vector<std::string> on_disk, FamiliesOnDisk());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::DBOptions db_options =
      MakeDBOptions(budget_, options_.create_if_missing);
  statistics_ = db_options.statistics;
  rocksdb::Status status =
      rocksdb::DB::Open(db_options, path, Descriptors(on_disk), &handles, &raw);
  if (IsLockHeld(status)) {
    return absl::FailedPreconditionError(
        absl::StrCat("storage: database at ", path,
                     " is in use by a running server (another process holds ",
                     path, "/LOCK); stop the server first"));
  }
  RETURN_IF_ERROR(FromRocks(status, absl::StrCat("open ", path)));
  db_.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) {
    if (i < kNumColumnFamilies) {
      handles_[i] = handles[i];
    } else {
      other_handles_.push_back(handles[i]);
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::InitOrCheckSchema(const MigrationPlan& plan) {
  if (options_.skip_schema_checks) return absl::OkStatus();
  RETURN_IF_ERROR(ValidateMigrationPlan(plan));
  ASSIGN_OR_RETURN(
      std::optional<std::string> raw,
      Get(Cf::kMeta, keys::EncodeMetaKey(keys::MetaRow::kSchemaVersion)));
  // The version and the info row are written in one batch, so a database
  // without a version row has never been initialised.
  if (!raw.has_value()) return CreateSchema(plan.current_version);
  ASSIGN_OR_RETURN(uint64_t version, SchemaVersion());
  if (version <= plan.current_version && !options_.server_name.empty()) {
    ASSIGN_OR_RETURN(DatabaseInfo info, ReadDatabaseInfo());
    if (info.server_name != options_.server_name) {
      return absl::FailedPreconditionError(absl::StrCat(
          "storage: database at ", options_.path, " belongs to server_name '",
          info.server_name, "', but the configuration says '",
          options_.server_name, "'"));
    }
  }
  return RunMigrations(*this, plan, version);
}

absl::Status Engine::CreateSchema(uint64_t version) {
  if (options_.server_name.empty()) {
    return absl::InvalidArgumentError(
        "storage: server_name is required to create a database");
  }
  const Clock& clock =
      options_.clock != nullptr ? *options_.clock : SystemClock::Get();
  DatabaseInfo info{.server_name = options_.server_name,
                    .created_at_ms = clock.NowMillis(),
                    .created_schema_version = version,
                    .created_by = "myelin"};
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(
      FromRocks(batch.Put(cf(Cf::kMeta),
                          keys::EncodeMetaKey(keys::MetaRow::kSchemaVersion),
                          keys::U64Value::Encode(version)),
                "stage schema version"));
  RETURN_IF_ERROR(
      FromRocks(batch.Put(cf(Cf::kMeta),
                          keys::EncodeMetaKey(keys::MetaRow::kDatabaseInfo),
                          EncodeDatabaseInfo(info)),
                "stage database info"));
  RETURN_IF_ERROR(WriteSynced(batch));
  MLOG(INFO) << "storage: created database at " << options_.path
             << " for server_name " << options_.server_name
             << ", schema version " << version;
  return absl::OkStatus();
}

absl::Status Engine::Write(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  return FromRocks(db_->Write(write_options, &batch), "write");
}

absl::Status Engine::WriteSynced(rocksdb::WriteBatch& batch) {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  return FromRocks(db_->Write(write_options, &batch), "synced write");
}

absl::StatusOr<std::optional<std::string>> Engine::Get(
    Cf cf_id, std::string_view key,
    const rocksdb::ReadOptions& read_options) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status status =
      db_->Get(read_options, cf(cf_id), ToSlice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(
      FromRocks(status, absl::StrCat("get from ", AV(SpecOf(cf_id).name))));
  return value.ToString();
}

std::unique_ptr<rocksdb::Iterator> Engine::NewIterator(
    Cf cf_id, const rocksdb::ReadOptions& read_options) const {
  return std::unique_ptr<rocksdb::Iterator>(
      db_->NewIterator(read_options, cf(cf_id)));
}

absl::StatusOr<uint64_t> Engine::SchemaVersion() const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> raw,
      Get(Cf::kMeta, keys::EncodeMetaKey(keys::MetaRow::kSchemaVersion)));
  if (!raw.has_value()) {
    return absl::NotFoundError("storage: no schema version recorded");
  }
  absl::StatusOr<std::tuple<uint64_t>> version = keys::U64Value::Decode(*raw);
  if (!version.ok()) {
    return absl::DataLossError(absl::StrCat(
        "storage: malformed schema version: ", version.status().message()));
  }
  return std::get<0>(*version);
}

absl::StatusOr<DatabaseInfo> Engine::ReadDatabaseInfo() const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> raw,
      Get(Cf::kMeta, keys::EncodeMetaKey(keys::MetaRow::kDatabaseInfo)));
  if (!raw.has_value()) {
    return absl::NotFoundError("storage: no database info recorded");
  }
  return DecodeDatabaseInfo(*raw);
}

}  // namespace myelin::storage
