#include "tools/create_user.h"
#include "tools/running_server.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/clock.h"
#include "dag/base/status_macros.h"
#include "server/client/account_crypto.h"
#include "server/client/accounts.h"
#include "server/config/config.h"
#include "storage/engine.h"
#include "tools/plain_http.h"

namespace myelin::tools {
namespace {

constexpr char kRegisterPath[] = "/_synapse/admin/v1/register";

std::string StringAt(const boost::json::object& object, const char* key) {
  const boost::json::value* value = object.if_contains(key);
  return value != nullptr && value->is_string()
             ? std::string(value->get_string())
             : "";
}

absl::Status CreateOverHttp(const config::Config& config,
                            const std::string& url, const std::string& user,
                            const std::string& password, bool admin,
                            std::ostream& out) {
  if (config.registration_shared_secret.empty()) {
    return absl::FailedPreconditionError(
        "the server is running and registration_shared_secret is not set in "
        "the config: set it (and restart the server) or stop the server");
  }
  ASSIGN_OR_RETURN(boost::json::object nonce,
                   JsonReply(PlainHttpRequest("GET", url, kRegisterPath, "")));
  std::string mac =
      client::SharedSecretMac(config.registration_shared_secret,
                              StringAt(nonce, "nonce"), user, password, admin,
                              "");
  boost::json::object body{{"nonce", StringAt(nonce, "nonce")},
                           {"username", user},
                           {"password", password},
                           {"admin", admin},
                           {"mac", mac}};
  ASSIGN_OR_RETURN(boost::json::object created,
                   JsonReply(PlainHttpRequest("POST", url, kRegisterPath,
                                              boost::json::serialize(body))));
  out << "created " << StringAt(created, "user_id") << " via " << url << "\n";
  return absl::OkStatus();
}


}  // namespace

absl::Status CreateUserCommand(const std::map<std::string, std::string>& flags,
                               std::ostream& out) {
  ASSIGN_OR_RETURN(config::Config config,
                   config::LoadConfigFile(flags.at("config")));
  const std::string& user = flags.at("user");
  const std::string& password = flags.at("password");
  std::string admin_flag = flags.count("admin") ? flags.at("admin") : "false";
  if (admin_flag != "true" && admin_flag != "false") {
    return absl::InvalidArgumentError("--admin must be true or false");
  }
  bool admin = admin_flag == "true";
  if (flags.count("url")) {
    return CreateOverHttp(config, flags.at("url"), user, password, admin, out);
  }
  storage::EngineOptions options;
  options.path = storage::DatabasePathIn(config.data_dir);
  options.server_name = config.server_name;
  options.memory_budget_bytes = 64ull << 20;
  absl::StatusOr<std::unique_ptr<storage::Engine>> engine =
      storage::Engine::Open(options);
  if (HeldByRunningServer(engine.status())) {
    ASSIGN_OR_RETURN(std::string url, ClientUrl(config));
    return CreateOverHttp(config, url, user, password, admin, out);
  }
  if (!engine.ok()) return engine.status();
  client::Accounts accounts(config, engine->get(), &SystemClock::Get(),
                            nullptr, client::AccountLimits());
  absl::StatusOr<std::string> user_id = accounts.CreateUser(
      absl::AsciiStrToLower(user), password, admin, "");
  if (!user_id.ok()) {
    return absl::FailedPreconditionError(user_id.status().message());
  }
  out << "created " << *user_id << " in " << options.path << "\n";
  return absl::OkStatus();
}

}  // namespace myelin::tools
