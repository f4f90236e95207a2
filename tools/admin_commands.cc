#include "tools/admin_commands.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <map>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "storage/engine.h"
#include "tools/create_user.h"
#include "tools/media_command.h"

namespace myelin::tools {
namespace {

namespace fs = std::filesystem;

// "--name value" and "--name=value" flags after the command name.
using Flags = std::map<std::string, std::string>;

absl::StatusOr<Flags> ParseFlags(const std::vector<std::string>& args,
                                 const std::vector<std::string>& required,
                                 const std::vector<std::string>& optional) {
  std::vector<std::string> allowed = required;
  allowed.insert(allowed.end(), optional.begin(), optional.end());
  Flags flags;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      return absl::InvalidArgumentError(absl::StrCat("unexpected '", arg, "'"));
    }
    std::string name = arg.substr(2), value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " needs a value"));
    }
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    flags[name] = value;
  }
  for (const std::string& name : required) {
    if (flags[name].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " is required"));
    }
  }
  return flags;
}

absl::StatusOr<std::unique_ptr<storage::Engine>> OpenForTool(
    const std::string& data_dir) {
  storage::EngineOptions options;
  options.path = storage::DatabasePathIn(data_dir);
  options.create_if_missing = false;
  options.skip_schema_checks = true;
  options.memory_budget_bytes = 64ull << 20;
  return storage::Engine::Open(options);
}

// The backup is shaped like a data_dir: TARGET/db is the checkpoint and the
// signing key, which lives beside the database, is copied along, so
// restoring is pointing data_dir at TARGET (or copying it back).
absl::Status Backup(const Flags& flags, std::ostream& out) {
  const std::string& data_dir = flags.at("data-dir");
  const std::string& target = flags.at("to");
  ASSIGN_OR_RETURN(auto engine, OpenForTool(data_dir));
  std::error_code ec;
  if (fs::exists(target, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("backup target ", target, " already exists"));
  }
  fs::create_directories(target, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create ", target, ": ", ec.message()));
  }
  RETURN_IF_ERROR(engine->CreateCheckpoint(storage::DatabasePathIn(target)));
  fs::path key = fs::path(data_dir) / "signing.key";
  if (fs::exists(key, ec)) {
    fs::copy_file(key, fs::path(target) / "signing.key", ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot copy ", key.string(), ": ", ec.message()));
    }
  }
  out << "backup written to " << target << "\n"
      << "restore: stop the server, then use " << target
      << " as its data_dir\n";
  return absl::OkStatus();
}

void PrintSchema(const storage::Engine& engine, std::ostream& out) {
  absl::StatusOr<uint64_t> version = engine.SchemaVersion();
  absl::StatusOr<storage::DatabaseInfo> info = engine.ReadDatabaseInfo();
  out << "schema version: "
      << (version.ok() ? std::to_string(*version) : "unknown") << " (this "
      << "release: " << storage::kCurrentSchemaVersion << ")\n";
  if (info.ok()) {
    out << "server_name: " << info->server_name
        << "\ncreated at (ms since epoch): " << info->created_at_ms << "\n";
  }
}

void PrintStats(const storage::EngineStats& stats, std::ostream& out) {
  out << std::left << std::setw(24) << "column family" << std::right
      << std::setw(14) << "est. keys" << std::setw(14) << "sst bytes"
      << std::setw(14) << "blob bytes" << std::setw(14) << "live bytes"
      << std::setw(14) << "memtable"
      << "\n";
  for (const storage::ColumnFamilyStats& cf : stats.column_families) {
    out << std::left << std::setw(24)
        << (cf.known ? cf.name : cf.name + " (unknown)") << std::right
        << std::setw(14) << cf.estimated_keys << std::setw(14) << cf.sst_bytes
        << std::setw(14) << cf.blob_bytes << std::setw(14)
        << cf.estimated_live_data_bytes << std::setw(14) << cf.memtable_bytes
        << "\n";
  }
  out << "memory: block cache " << stats.block_cache_usage_bytes
      << " bytes in use of a " << stats.memory_budget_bytes
      << "-byte budget (memtables " << stats.memtable_bytes << ")\n";
  out << "total: sst " << stats.total_sst_bytes << " bytes, blob "
      << stats.total_blob_bytes << " bytes, live data (est.) "
      << stats.estimated_live_data_bytes << " bytes\n";
}

absl::Status DbStats(const Flags& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(auto engine, OpenForTool(flags.at("data-dir")));
  out << "database: " << engine->options().path << "\n";
  PrintSchema(*engine, out);
  PrintStats(engine->Stats(), out);
  return absl::OkStatus();
}

absl::Status Compact(const Flags& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(auto engine, OpenForTool(flags.at("data-dir")));
  uint64_t before = engine->Stats().total_sst_bytes;
  RETURN_IF_ERROR(engine->CompactAll());
  out << "compacted: sst " << before << " -> "
      << engine->Stats().total_sst_bytes << " bytes\n";
  return absl::OkStatus();
}

struct Command {
  std::vector<std::string> flags;
  std::function<absl::Status(const Flags&, std::ostream&)> run;
  std::vector<std::string> optional_flags = {};
};

const std::map<std::string, Command>& Commands() {
  static const auto* const kCommands = new std::map<std::string, Command>{
      {"backup", {{"data-dir", "to"}, Backup}},
      {"db-stats", {{"data-dir"}, DbStats}},
      {"compact", {{"data-dir"}, Compact}},
      {"create-user",
       {{"config", "user", "password"}, CreateUserCommand, {"admin", "url"}}},
      {"media", {{"config", "mxc", "action"}, MediaCommand, {"url"}}},
  };
  return *kCommands;
}

}  // namespace

std::string AdminUsage() {
  return "usage:\n"
         "  myelin-admin backup   --data-dir DIR --to TARGET\n"
         "      online-consistent copy of DIR (database + signing key) into\n"
         "      the new directory TARGET; restore by using TARGET as data_dir\n"
         "  myelin-admin db-stats --data-dir DIR\n"
         "      schema version and per-column-family size estimates\n"
         "  myelin-admin compact  --data-dir DIR\n"
         "      full compaction of every column family\n"
         "  myelin-admin create-user --config FILE --user NAME --password PW\n"
         "               [--admin true|false] [--url http://HOST:PORT]\n"
         "      creates an account: in the database when the server is\n"
         "      stopped, else through its shared-secret registration\n"
         "      endpoint (registration_shared_secret from FILE) at --url or\n"
         "      the config's first plain client listener\n"
         "  myelin-admin media --config FILE --mxc mxc://SERVER/ID\n"
         "               --action quarantine|unquarantine|delete [--url URL]\n"
         "      quarantines (served to nobody), releases or deletes local\n"
         "      media: in the database when the server is stopped, else\n"
         "      through its admin endpoints with <data_dir>/admin.token\n"
         "The other commands need the server stopped: it holds the database "
         "lock.\n";
}

absl::Status RunAdminCommand(const std::vector<std::string>& args,
                             std::ostream& out) {
  if (args.empty()) return absl::InvalidArgumentError("no command given");
  auto command = Commands().find(args[0]);
  if (command == Commands().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", args[0], "'"));
  }
  ASSIGN_OR_RETURN(Flags flags, ParseFlags(args, command->second.flags,
                                           command->second.optional_flags));
  return command->second.run(flags, out);
}

}  // namespace myelin::tools
