#include "server/client/accounts.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"
#include "server/client/nonce_store.h"
#include "server/http/error_response.h"

namespace myelin::client {

Accounts::Accounts(const config::Config& config, storage::Engine* engine,
                   const Clock* clock, const http::Authenticator* fallback,
                   AccountLimits limits)
    : config_(config),
      clock_(clock),
      store_(engine),
      hasher_(config.argon2_opslimit, config.argon2_memlimit_kib * 1024),
      uia_(clock),
      nonces_(std::make_unique<NonceStore>(clock)),
      authenticator_(&store_, clock, fallback),
      limits_(limits) {}

Accounts::~Accounts() = default;

absl::Status Accounts::AddRoutes(http::RouteTable* table) {
  RETURN_IF_ERROR(AddRegisterRoutes(table, this));
  RETURN_IF_ERROR(AddLoginRoutes(table, this));
  RETURN_IF_ERROR(AddAccountManagementRoutes(table, this));
  RETURN_IF_ERROR(AddDeviceRoutes(table, this));
  RETURN_IF_ERROR(AddProfileRoutes(table, this));
  RETURN_IF_ERROR(AddThreepidRoutes(table));
  return AddSharedSecretRoutes(table, this);
}

std::string Accounts::UserIdOf(std::string_view localpart) const {
  return absl::StrCat("@", AV(localpart), ":", config_.server_name);
}

absl::StatusOr<std::string> Accounts::LocalpartOf(
    std::string_view user) const {
  if (!user.empty() && user.front() == '@') {
    ASSIGN_OR_RETURN(ids::IdParts parts, ids::ParseUserId(user));
    if (parts.server_name != config_.server_name) {
      return InvalidParam("User id of another server");
    }
    user = parts.localpart;
  }
  // Synapse matches logins case-insensitively; ids are created lower-case.
  return absl::AsciiStrToLower(AV(user));
}

absl::Status Accounts::CheckNewLocalpart(std::string_view localpart) const {
  std::string user_id = UserIdOf(localpart);
  // Spec: appendices, "User Identifiers": at most 255 bytes, and a new
  // localpart uses only [a-z0-9._=-/+].
  if (user_id.size() > 255 ||
      !ids::ParseUserId(user_id, ids::UserIdGrammar::kStrict).ok()) {
    return MatrixError(400, errcode::kInvalidUsername,
                       "User ID may contain only a-z, 0-9, and . _ = - / +");
  }
  return absl::OkStatus();
}

storage::DeviceLogin Accounts::NewDeviceLogin(
    const LoginRequest& request, std::string* access_token,
    std::string* refresh_token) const {
  *access_token = NewAccessToken();
  bool refresh = request.want_refresh && config_.refresh_tokens;
  *refresh_token = refresh ? NewRefreshToken() : "";
  storage::DeviceLogin login;
  login.user_id = request.user_id;
  login.device_id = request.device_id.value_or(NewDeviceId());
  login.display_name = request.display_name;
  login.access_token_hash = TokenHash(*access_token);
  if (refresh) login.refresh_token_hash = TokenHash(*refresh_token);
  login.now_ms = clock_->NowMillis();
  if (refresh) {
    login.access_expires_at_ms =
        login.now_ms + static_cast<int64_t>(config_.access_token_lifetime_ms);
  }
  login.ip = request.ip;
  return login;
}

boost::json::object Accounts::LoginResponse(
    const storage::DeviceLogin& login, const std::string& access_token,
    const std::string& refresh_token) const {
  boost::json::object response{{"user_id", login.user_id},
                               {"access_token", access_token},
                               {"device_id", login.device_id},
                               {"home_server", config_.server_name}};
  if (!refresh_token.empty()) {
    response["refresh_token"] = refresh_token;
    response["expires_in_ms"] = config_.access_token_lifetime_ms;
  }
  return response;
}

absl::StatusOr<boost::json::object> Accounts::IssueLogin(
    const LoginRequest& request) {
  std::string access_token, refresh_token;
  storage::DeviceLogin login =
      NewDeviceLogin(request, &access_token, &refresh_token);
  RETURN_IF_ERROR(store_.Login(login));
  return LoginResponse(login, access_token, refresh_token);
}

bool Accounts::CheckPassword(const std::optional<storage::Account>& account,
                             std::string_view password) const {
  if (account) return hasher_.Verify(account->password_hash, password);
  std::call_once(dummy_once_, [this] {
    dummy_hash_ = hasher_.Hash(NewOpaqueId()).value_or("");
  });
  (void)hasher_.Verify(dummy_hash_, password);
  return false;
}

absl::StatusOr<std::string> Accounts::CheckOwnPassword(
    std::string_view user_id, const boost::json::object& auth) const {
  ASSIGN_OR_RETURN(PasswordIdentifier id, ParsePasswordAuth(auth));
  ASSIGN_OR_RETURN(std::string localpart, LocalpartOf(id.user));
  if (UserIdOf(localpart) != user_id) {
    return Forbidden("The identifier does not name the signed-in user");
  }
  ASSIGN_OR_RETURN(auto account, store_.GetAccount(localpart));
  if (!CheckPassword(account, id.password)) {
    return Forbidden("Invalid password");
  }
  return std::string();
}

absl::Status Accounts::DeleteDevices(
    std::string_view user_id,
    const std::optional<std::vector<std::string>>& device_ids,
    std::string_view keep) {
  absl::StatusOr<std::vector<std::string>> deleted =
      device_ids ? store_.DeleteDevices(user_id, *device_ids)
                 : store_.DeleteAllDevices(user_id, keep);
  RETURN_IF_ERROR(deleted.status());
  authenticator_.ForgetDevices(user_id, *deleted);
  hooks_.DevicesDeletedFor(user_id, *deleted);
  return absl::OkStatus();
}

absl::Status Accounts::RequirePassword(const boost::json::object& body,
                                       std::string_view user_id,
                                       std::string_view operation) {
  UiaRequest request;
  request.flows = {{std::string(kStagePassword)}};
  request.bound_to = absl::StrCat(AV(operation), " ", AV(user_id));
  auto result = uia_.Authenticate(
      body, request,
      [&](std::string_view, const boost::json::object& auth) {
        return CheckOwnPassword(user_id, auth);
      });
  return result.status();
}

absl::StatusOr<std::string> Accounts::CreateUser(std::string_view localpart,
                                                 std::string_view password,
                                                 bool admin,
                                                 std::string_view user_type) {
  RETURN_IF_ERROR(CheckNewLocalpart(localpart));
  storage::Account account;
  ASSIGN_OR_RETURN(account.password_hash, hasher_.Hash(password));
  account.created_at_ms = clock_->NowMillis();
  account.admin = admin;
  account.user_type = std::string(user_type);
  std::string user_id = UserIdOf(localpart);
  absl::Status created =
      store_.CreateAccount(localpart, user_id, account, std::nullopt);
  if (created.code() == absl::StatusCode::kAlreadyExists) {
    return MatrixError(400, errcode::kUserInUse, "User ID already taken");
  }
  RETURN_IF_ERROR(created);
  return user_id;
}

absl::StatusOr<http::Principal> UserAuthenticator::Authenticate(
    std::string_view access_token) const {
  if (fallback_ != nullptr) {
    absl::StatusOr<http::Principal> admin =
        fallback_->Authenticate(access_token);
    if (admin.ok()) return admin;
  }
  return Resolve(access_token, /*allow_expired=*/false);
}

absl::StatusOr<http::Principal> UserAuthenticator::AuthenticateAllowExpired(
    std::string_view access_token) const {
  return Resolve(access_token, /*allow_expired=*/true);
}

absl::StatusOr<http::Principal> UserAuthenticator::Resolve(
    std::string_view access_token, bool allow_expired) const {
  std::string hash = TokenHash(access_token);
  ASSIGN_OR_RETURN(auto session, store_->GetSession(hash));
  if (!session || session->refresh) {
    return UnknownToken("Unknown access token");
  }
  if (!allow_expired && session->expires_at_ms != 0 &&
      session->expires_at_ms <= clock_->NowMillis()) {
    // Spec: "Soft logout": the client may refresh or log in again and keep
    // its device and keys.
    return http::WithErrorFields(UnknownToken("Access token has expired"),
                                 boost::json::object{{"soft_logout", true}});
  }
  if (!session->revokes_on_use.empty()) {
    // Spec: "Refreshing access tokens": the old refresh token is revoked
    // once the new access token is used. One write per refresh.
    RETURN_IF_ERROR(store_->ConfirmRefresh(hash));
  }
  http::Principal principal;
  principal.user_id = std::move(session->user_id);
  principal.device_id = std::move(session->device_id);
  return principal;
}

void UserAuthenticator::NoteUse(const http::Principal& principal,
                                const http::Request& request) const {
  if (principal.user_id.empty()) return;  // the admin token
  std::string key = absl::StrCat(principal.user_id, std::string(1, '\0'),
                                 principal.device_id);
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  LastSeen& seen = last_seen_[key];
  seen.ms = now;
  if (seen.ip != request.remote_address) seen.ip = request.remote_address;
}

std::optional<UserAuthenticator::LastSeen> UserAuthenticator::LastSeenOf(
    std::string_view user_id, std::string_view device_id) const {
  std::string key = absl::StrCat(AV(user_id), std::string(1, '\0'),
                                 AV(device_id));
  absl::MutexLock lock(&mu_);
  auto it = last_seen_.find(key);
  if (it == last_seen_.end()) return std::nullopt;
  return it->second;
}

void UserAuthenticator::ForgetDevices(
    std::string_view user_id, const std::vector<std::string>& device_ids) const {
  absl::MutexLock lock(&mu_);
  for (const std::string& device_id : device_ids) {
    last_seen_.erase(
        absl::StrCat(AV(user_id), std::string(1, '\0'), device_id));
  }
}

absl::StatusOr<PasswordIdentifier> ParsePasswordAuth(
    const boost::json::object& auth) {
  PasswordIdentifier result;
  ASSIGN_OR_RETURN(auto password, OptionalString(auth, "password"));
  if (!password) return MissingParam("Missing password");
  result.password = *std::move(password);
  const boost::json::value* identifier = auth.if_contains("identifier");
  if (identifier != nullptr) {
    const boost::json::object* object = identifier->if_object();
    if (object == nullptr) return BadJson("identifier must be an object");
    ASSIGN_OR_RETURN(auto type, OptionalString(*object, "type"));
    if (type.value_or("") != "m.id.user") {
      return MatrixError(400, errcode::kUnknown,
                         "Only m.id.user identifiers are supported");
    }
    ASSIGN_OR_RETURN(auto user, OptionalString(*object, "user"));
    if (!user) return MissingParam("identifier.user missing");
    result.user = *std::move(user);
    return result;
  }
  // Spec: deprecated "user" field of m.login.password.
  ASSIGN_OR_RETURN(auto user, OptionalString(auth, "user"));
  if (!user) return MissingParam("Missing identifier");
  result.user = *std::move(user);
  return result;
}

absl::StatusOr<std::optional<std::string>> OptionalString(
    const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) {
    return BadJson(absl::StrCat(AV(key), " must be a string"));
  }
  return std::optional<std::string>(std::string(value->get_string()));
}

absl::StatusOr<bool> OptionalBool(const boost::json::object& object,
                                  std::string_view key, bool fallback) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr) return fallback;
  if (!value->is_bool()) {
    return BadJson(absl::StrCat(AV(key), " must be a boolean"));
  }
  return value->get_bool();
}

}  // namespace myelin::client
