#include "tools/media_command.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/admin/admin.h"
#include "server/config/config.h"
#include "storage/engine.h"
#include "storage/media/media_store.h"
#include "tools/running_server.h"

namespace myelin::tools {
namespace {

absl::StatusOr<storage::MediaId> ParseMxc(std::string_view mxc) {
  absl::string_view rest = AV(mxc);
  size_t slash = std::string_view::npos;
  if (absl::ConsumePrefix(&rest, "mxc://")) slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--mxc must look like mxc://SERVER/MEDIA_ID, not ", AV(mxc)));
  }
  return storage::MediaId{std::string(rest.substr(0, slash)),
                          std::string(rest.substr(slash + 1))};
}

absl::Status Direct(storage::MediaStore& store, const storage::MediaId& id,
                    const std::string& action) {
  ASSIGN_OR_RETURN(std::optional<storage::MediaInfo> info, store.Get(id));
  if (!info.has_value()) return absl::NotFoundError("no such media");
  if (action == "delete") return store.Delete(id);
  return store.Quarantine(id, action == "quarantine");
}

absl::Status OverHttp(const config::Config& config, const std::string& url,
                      const storage::MediaId& id, const std::string& action) {
  std::ifstream file(admin::AdminTokenPath(config.data_dir));
  std::stringstream token;
  token << file.rdbuf();
  if (!file || token.str().empty()) {
    return absl::FailedPreconditionError(
        "the server is running and its admin token cannot be read");
  }
  std::string base = absl::StrCat("/_myelin/admin/v1/media/", id.server_name,
                                  "/", id.media_id);
  std::string auth = absl::StrCat(
      "access_token=", absl::StripAsciiWhitespace(token.str()));
  if (action == "delete") {
    return JsonReply(PlainHttpRequest("DELETE", url,
                                      absl::StrCat(base, "?", auth), ""))
        .status();
  }
  std::string body = action == "quarantine" ? R"({"quarantined":true})"
                                            : R"({"quarantined":false})";
  return JsonReply(PlainHttpRequest(
                       "POST", url, absl::StrCat(base, "/quarantine?", auth), body))
      .status();
}

}  // namespace

absl::Status MediaCommand(const std::map<std::string, std::string>& flags,
                          std::ostream& out) {
  ASSIGN_OR_RETURN(config::Config config,
                   config::LoadConfigFile(flags.at("config")));
  ASSIGN_OR_RETURN(storage::MediaId id, ParseMxc(flags.at("mxc")));
  const std::string& action = flags.at("action");
  if (action != "quarantine" && action != "unquarantine" && action != "delete") {
    return absl::InvalidArgumentError(
        "--action must be quarantine, unquarantine or delete");
  }
  std::string done = absl::StrCat(action, "d mxc://", id.server_name, "/",
                                  id.media_id);
  if (action == "delete") done = absl::StrCat("deleted mxc://", id.server_name,
                                              "/", id.media_id);
  if (flags.count("url")) {
    RETURN_IF_ERROR(OverHttp(config, flags.at("url"), id, action));
    out << done << " via " << flags.at("url") << "\n";
    return absl::OkStatus();
  }
  storage::EngineOptions options;
  options.path = storage::DatabasePathIn(config.data_dir);
  options.server_name = config.server_name;
  options.create_if_missing = false;
  options.memory_budget_bytes = 64ull << 20;
  absl::StatusOr<std::unique_ptr<storage::Engine>> engine =
      storage::Engine::Open(options);
  if (HeldByRunningServer(engine.status())) {
    ASSIGN_OR_RETURN(std::string url, ClientUrl(config));
    RETURN_IF_ERROR(OverHttp(config, url, id, action));
    out << done << " via " << url << "\n";
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(engine.status());
  ASSIGN_OR_RETURN(std::unique_ptr<storage::MediaStore> store,
                   storage::MediaStore::Open(engine->get()));
  RETURN_IF_ERROR(Direct(*store, id, action));
  out << done << " in " << options.path << "\n";
  return absl::OkStatus();
}

}  // namespace myelin::tools
