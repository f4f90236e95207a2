// Spec: client-server-api, "Account registration and management":
// POST /register, GET /register/available,
// GET /register/m.login.registration_token/validity.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/client/accounts.h"

namespace myelin::client {
namespace {

using http::Request;
using http::Response;

constexpr size_t kMaxPasswordBytes = 512;

absl::Status RequireRegistrationEnabled(const Accounts& accounts) {
  if (!accounts.config().enable_registration) {
    return Forbidden("Registration is disabled");
  }
  return absl::OkStatus();
}

// The configured token, if `token` is one that is still valid (not expired,
// uses left). Uses are counted again, atomically, when the account is
// created.
const config::RegistrationToken* ValidToken(Accounts& accounts,
                                            std::string_view token) {
  for (const config::RegistrationToken& t :
       accounts.config().registration_tokens) {
    if (t.token != token) continue;
    int64_t now = accounts.clock().NowMillis();
    if (t.expiry_time_ms != 0 && static_cast<int64_t>(t.expiry_time_ms) <= now) {
      return nullptr;
    }
    absl::StatusOr<uint64_t> uses = accounts.store().RegistrationTokenUses(token);
    if (!uses.ok()) return nullptr;
    if (t.uses_allowed != 0 && *uses >= t.uses_allowed) return nullptr;
    return &t;
  }
  return nullptr;
}

absl::StatusOr<std::string> CheckStage(Accounts& accounts,
                                       std::string_view type,
                                       const boost::json::object& auth) {
  if (type == kStageDummy) return std::string();
  // Spec: "Token-authenticated registration".
  ASSIGN_OR_RETURN(auto token, OptionalString(auth, "token"));
  if (!token) return MissingParam("Missing token");
  if (ValidToken(accounts, *token) == nullptr) {
    return MatrixError(401, errcode::kUnauthorized,
                       "Invalid registration token");
  }
  return *token;
}

UiaRequest RegistrationFlows(const Accounts& accounts) {
  UiaRequest request;
  request.bound_to = "register";
  if (accounts.config().registration_tokens.empty()) {
    request.flows = {{std::string(kStageDummy)}};
  } else {
    request.flows = {{std::string(kStageRegistrationToken)}};
  }
  return request;
}

absl::StatusOr<std::string> DesiredLocalpart(Accounts& accounts,
                                             const boost::json::object& body) {
  ASSIGN_OR_RETURN(auto username, OptionalString(body, "username"));
  if (!username) {
    // Spec: the server generates a user id when none is given.
    std::string generated = NewDeviceId();
    for (char& c : generated) c = static_cast<char>(c - 'A' + 'a');
    return generated;
  }
  std::string localpart = absl::AsciiStrToLower(AV(*username));
  RETURN_IF_ERROR(accounts.CheckNewLocalpart(localpart));
  ASSIGN_OR_RETURN(auto existing, accounts.store().GetAccount(localpart));
  if (existing) {
    return MatrixError(400, errcode::kUserInUse, "User ID already taken");
  }
  return localpart;
}

absl::StatusOr<Response> Register(Accounts& accounts, const Request& request) {
  RETURN_IF_ERROR(RequireRegistrationEnabled(accounts));
  if (request.Query("kind") == "guest") {
    return Forbidden("Guest access is disabled");
  }
  if (!request.Query("kind").empty() && request.Query("kind") != "user") {
    return InvalidParam("kind must be user or guest");
  }
  const boost::json::object& body = request.json.get_object();
  // Fail fast on a bad or taken username, before any UIA round-trip.
  ASSIGN_OR_RETURN(std::string localpart, DesiredLocalpart(accounts, body));
  ASSIGN_OR_RETURN(auto password, OptionalString(body, "password"));
  if (password && password->size() > kMaxPasswordBytes) {
    return InvalidParam("Password too long");
  }
  ASSIGN_OR_RETURN(UiaResult completed,
                   accounts.uia().Authenticate(
                       body, RegistrationFlows(accounts),
                       [&](std::string_view type,
                           const boost::json::object& auth) {
                         return CheckStage(accounts, type, auth);
                       }));
  if (!password) return MissingParam("Missing password");
  ASSIGN_OR_RETURN(bool inhibit_login,
                   OptionalBool(body, "inhibit_login", false));
  ASSIGN_OR_RETURN(bool want_refresh,
                   OptionalBool(body, "refresh_token", false));
  ASSIGN_OR_RETURN(auto device_id, OptionalString(body, "device_id"));
  ASSIGN_OR_RETURN(auto display_name,
                   OptionalString(body, "initial_device_display_name"));

  storage::Account account;
  ASSIGN_OR_RETURN(account.password_hash, accounts.hasher().Hash(*password));
  account.created_at_ms = accounts.clock().NowMillis();
  std::string user_id = accounts.UserIdOf(localpart);
  std::optional<storage::DeviceLogin> login;
  std::string access_token, refresh_token;
  if (!inhibit_login) {
    login = accounts.NewDeviceLogin(
        {user_id, device_id, display_name, want_refresh,
         request.remote_address},
        &access_token, &refresh_token);
  }
  absl::Status created;
  auto token = completed.find(std::string(kStageRegistrationToken));
  if (token != completed.end()) {
    // Checked again: the token may have expired or run out meanwhile.
    const config::RegistrationToken* config_token =
        ValidToken(accounts, token->second);
    if (config_token == nullptr) {
      return MatrixError(401, errcode::kUnauthorized,
                         "Registration token no longer valid");
    }
    created = accounts.store().CreateAccountWithToken(
        localpart, user_id, account, login, token->second,
        config_token->uses_allowed);
  } else {
    created = accounts.store().CreateAccount(localpart, user_id, account,
                                             login);
  }
  if (created.code() == absl::StatusCode::kAlreadyExists) {
    return MatrixError(400, errcode::kUserInUse, "User ID already taken");
  }
  if (created.code() == absl::StatusCode::kResourceExhausted) {
    return MatrixError(401, errcode::kUnauthorized,
                       "Registration token used up");
  }
  RETURN_IF_ERROR(created);
  if (inhibit_login) {
    return Response::Json(
        boost::json::serialize(boost::json::object{{"user_id", user_id}}));
  }
  return Response::Json(boost::json::serialize(
      accounts.LoginResponse(*login, access_token, refresh_token)));
}

absl::StatusOr<Response> Available(Accounts& accounts, const Request& request) {
  RETURN_IF_ERROR(RequireRegistrationEnabled(accounts));  // as Synapse
  std::string_view username = request.Query("username");
  if (username.empty()) return MissingParam("Missing username");
  std::string localpart = absl::AsciiStrToLower(AV(username));
  RETURN_IF_ERROR(accounts.CheckNewLocalpart(localpart));
  ASSIGN_OR_RETURN(auto existing, accounts.store().GetAccount(localpart));
  if (existing) {
    return MatrixError(400, errcode::kUserInUse, "User ID already taken");
  }
  return Response::Json(R"({"available":true})");
}

absl::StatusOr<Response> TokenValidity(Accounts& accounts,
                                       const Request& request) {
  RETURN_IF_ERROR(RequireRegistrationEnabled(accounts));
  if (!request.HasQuery("token")) return MissingParam("Missing token");
  bool valid = ValidToken(accounts, request.Query("token")) != nullptr;
  return Response::Json(
      boost::json::serialize(boost::json::object{{"valid", valid}}));
}

}  // namespace

absl::Status AddRegisterRoutes(http::RouteTable* table, Accounts* accounts) {
  const auto& prefixes = http::ClientPrefixes();
  http::Route route;
  route.method = http::Method::kPost;
  route.pattern = "/register";
  route.body = http::Body::kJson;
  route.rate_limit = accounts->limits().registration;
  route.handler = [accounts](const Request& r) { return Register(*accounts, r); };
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.pattern = "/register/available";
  route.rate_limit = accounts->limits().availability;
  route.handler = [accounts](const Request& r) {
    return Available(*accounts, r);
  };
  RETURN_IF_ERROR(table->AddUnder(prefixes, route));

  route = http::Route();
  route.pattern = "/register/m.login.registration_token/validity";
  route.rate_limit = accounts->limits().availability;
  route.handler = [accounts](const Request& r) {
    return TokenValidity(*accounts, r);
  };
  // Spec: added in v1.2 directly under v1 as well.
  RETURN_IF_ERROR(table->AddUnder(
      {"/_matrix/client/v3", "/_matrix/client/r0", "/_matrix/client/v1"},
      route));
  return absl::OkStatus();
}

}  // namespace myelin::client
