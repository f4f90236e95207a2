// The server's local admin API, used by `myelin-admin` while the server runs
// (RocksDB's lock keeps a second process out of the database).
//
// Authentication is a random admin token created on first start in
// <data_dir>/admin.token (mode 0600): whoever can read the data directory
// can administer the server, and nobody else.
//
//   GET  /_myelin/admin/v1/server_info  -> server name, schema, signing key
//   POST /_myelin/admin/v1/backup       {"target_dir": "/abs/path"}
//        -> target_dir/db (checkpoint) and target_dir/signing.key
#ifndef MYELIN_SERVER_ADMIN_ADMIN_H_
#define MYELIN_SERVER_ADMIN_ADMIN_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "federation/signing_key.h"
#include "server/http/dispatcher.h"
#include "server/http/router.h"
#include "storage/engine.h"

namespace myelin::admin {

// "<data_dir>/admin.token".
std::string AdminTokenPath(std::string_view data_dir);

// Reads the token, creating it when missing.
absl::StatusOr<std::string> LoadOrCreateAdminToken(const std::string& path);

// Accepts the admin token (constant-time comparison). The account layer
// will chain user tokens in front of it.
class AdminTokenAuthenticator final : public http::Authenticator {
 public:
  explicit AdminTokenAuthenticator(std::string token)
      : token_(std::move(token)) {}
  absl::StatusOr<http::Principal> Authenticate(
      std::string_view access_token) const override;

 private:
  std::string token_;
};

// `engine` and `key` must outlive the table. `signing_key_path` is copied
// into backups.
absl::Status AddAdminRoutes(http::RouteTable* table, storage::Engine* engine,
                            const federation::SigningKey* key,
                            const std::string& signing_key_path);

}  // namespace myelin::admin

#endif  // MYELIN_SERVER_ADMIN_ADMIN_H_
