// The account area of the Client-Server API: registration, login, logout,
// refresh, whoami, password, deactivation, devices, profiles, and Synapse's
// shared-secret registration. Accounts owns the account store, the UIA
// sessions, the shared-secret nonces and the user-token authenticator; the
// handler files (register_routes.cc, login_routes.cc, account_routes.cc,
// account_3pid_routes.cc, devices_routes.cc, profile_routes.cc,
// shared_secret_routes.cc) each add one spec area's routes.
//
// Thread safety: after construction and hook registration, everything may
// be used from any thread.
#ifndef MYELIN_SERVER_CLIENT_ACCOUNTS_H_
#define MYELIN_SERVER_CLIENT_ACCOUNTS_H_

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/object.hpp"
#include "dag/base/clock.h"
#include "server/client/account_crypto.h"
#include "server/client/account_hooks.h"
#include "server/client/uia.h"
#include "server/config/config.h"
#include "server/http/dispatcher.h"
#include "server/http/router.h"
#include "storage/accounts/account_store.h"
#include "storage/engine.h"

namespace myelin::client {

// Rate limits for the account routes; each may be nullptr (not limited).
struct AccountLimits {
  const http::RequestLimiter* login = nullptr;
  const http::RequestLimiter* registration = nullptr;
  const http::RequestLimiter* availability = nullptr;
};

class NonceStore;  // server/client/nonce_store.h

// Accepts the access tokens of users (backed by the session store), then
// the fallback (the server's admin token). An access token past its expiry
// is M_UNKNOWN_TOKEN with soft_logout: true (Spec: client-server-api,
// "Soft logout").
class UserAuthenticator final : public http::Authenticator {
 public:
  UserAuthenticator(storage::AccountStore* store, const Clock* clock,
                    const http::Authenticator* fallback)
      : store_(store), clock_(clock), fallback_(fallback) {}
  absl::StatusOr<http::Principal> Authenticate(
      std::string_view access_token) const override;
  // A user's access token even past its expiry: a soft-logged-out client
  // may still log out (as Synapse allows).
  absl::StatusOr<http::Principal> AuthenticateAllowExpired(
      std::string_view access_token) const;
  // Records the device's last use in memory. Persisting it would cost a
  // write per request on the I/O thread; the stored value (last login or
  // refresh) is the fallback after a restart.
  void NoteUse(const http::Principal& principal,
               const http::Request& request) const override;

  struct LastSeen {
    int64_t ms = 0;
    std::string ip;
  };
  std::optional<LastSeen> LastSeenOf(std::string_view user_id,
                                     std::string_view device_id) const;
  // Drops the last-seen records of deleted devices.
  void ForgetDevices(std::string_view user_id,
                     const std::vector<std::string>& device_ids) const;

 private:
  absl::StatusOr<http::Principal> Resolve(std::string_view access_token,
                                          bool allow_expired) const;

  // Written only to revoke a refreshed-away refresh token on the new access
  // token's first use.
  storage::AccountStore* store_;
  const Clock* clock_;
  const http::Authenticator* fallback_;
  mutable absl::Mutex mu_;
  // "user_id\0device_id" -> last use; bounded by the number of devices.
  mutable absl::flat_hash_map<std::string, LastSeen> last_seen_
      ABSL_GUARDED_BY(mu_);
};

class Accounts {
 public:
  // `engine`, `clock` and `fallback` must outlive this object; `config` is
  // copied.
  Accounts(const config::Config& config, storage::Engine* engine,
           const Clock* clock, const http::Authenticator* fallback,
           AccountLimits limits);
  ~Accounts();

  const UserAuthenticator* authenticator() const { return &authenticator_; }
  AccountHooks& hooks() { return hooks_; }
  storage::AccountStore& store() { return store_; }

  // Adds every account route (client prefixes and /_synapse/admin).
  absl::Status AddRoutes(http::RouteTable* table);

  // For create-user tools and tests: registers `localpart` directly.
  // Returns the user id.
  absl::StatusOr<std::string> CreateUser(std::string_view localpart,
                                         std::string_view password, bool admin,
                                         std::string_view user_type);

  // --- Shared by the handler files. ---
  const config::Config& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  const PasswordHasher& hasher() const { return hasher_; }
  UiaSessions& uia() { return uia_; }
  NonceStore& nonces() { return *nonces_; }
  const AccountLimits& limits() const { return limits_; }

  // "@localpart:server_name".
  std::string UserIdOf(std::string_view localpart) const;
  // The localpart of a user id of this server, lower-cased; or of a bare
  // localpart. M_FORBIDDEN-free: InvalidParam if it is another server's.
  absl::StatusOr<std::string> LocalpartOf(std::string_view user) const;
  // M_INVALID_USERNAME unless `localpart` may be registered.
  absl::Status CheckNewLocalpart(std::string_view localpart) const;

  // Issues tokens for a device (new or existing) and returns the login
  // response fields (user_id, access_token, device_id, expires_in_ms,
  // refresh_token, home_server).
  struct LoginRequest {
    std::string user_id;
    std::optional<std::string> device_id;
    std::optional<std::string> display_name;
    bool want_refresh = false;
    std::string ip;
  };
  absl::StatusOr<boost::json::object> IssueLogin(const LoginRequest& request);
  // Builds the storage login for IssueLogin and registration.
  storage::DeviceLogin NewDeviceLogin(const LoginRequest& request,
                                      std::string* access_token,
                                      std::string* refresh_token) const;
  boost::json::object LoginResponse(const storage::DeviceLogin& login,
                                    const std::string& access_token,
                                    const std::string& refresh_token) const;

  // Whether `password` is the account's. For an unknown account it checks
  // a dummy hash of the same cost, so the answer's timing does not tell
  // which user ids exist.
  bool CheckPassword(const std::optional<storage::Account>& account,
                     std::string_view password) const;

  // The m.login.password stage for a signed-in user: the identifier must
  // name `user_id` and the password must match.
  absl::StatusOr<std::string> CheckOwnPassword(
      std::string_view user_id, const boost::json::object& auth) const;
  // Deletes devices (all but `keep` when `device_ids` is nullopt) with
  // their tokens, then tells the hooks.
  absl::Status DeleteDevices(
      std::string_view user_id,
      const std::optional<std::vector<std::string>>& device_ids,
      std::string_view keep = "");
  // UIA with m.login.password for an operation on the caller's account.
  absl::Status RequirePassword(const boost::json::object& body,
                               std::string_view user_id,
                               std::string_view operation);

 private:
  config::Config config_;
  const Clock* clock_;
  storage::AccountStore store_;
  PasswordHasher hasher_;
  UiaSessions uia_;
  std::unique_ptr<NonceStore> nonces_;
  UserAuthenticator authenticator_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_hash_;
  AccountHooks hooks_;
  AccountLimits limits_;
};

// The handler files' route adders.
absl::Status AddRegisterRoutes(http::RouteTable* table, Accounts* accounts);
absl::Status AddLoginRoutes(http::RouteTable* table, Accounts* accounts);
absl::Status AddAccountManagementRoutes(http::RouteTable* table,
                                        Accounts* accounts);
absl::Status AddDeviceRoutes(http::RouteTable* table, Accounts* accounts);
absl::Status AddProfileRoutes(http::RouteTable* table, Accounts* accounts);
absl::Status AddSharedSecretRoutes(http::RouteTable* table,
                                   Accounts* accounts);
absl::Status AddThreepidRoutes(http::RouteTable* table);

// The password in a login or m.login.password auth dict, and the user it
// names: identifier {type: m.id.user, user} or the legacy "user" field.
struct PasswordIdentifier {
  std::string user;
  std::string password;
};
absl::StatusOr<PasswordIdentifier> ParsePasswordAuth(
    const boost::json::object& auth);

// The string at `key`, nullopt when absent; BadJson when not a string.
absl::StatusOr<std::optional<std::string>> OptionalString(
    const boost::json::object& object, std::string_view key);
// The bool at `key`, `fallback` when absent; BadJson when not a bool.
absl::StatusOr<bool> OptionalBool(const boost::json::object& object,
                                  std::string_view key, bool fallback);

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_ACCOUNTS_H_
