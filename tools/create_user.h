// myelin-admin create-user: creates an account whether or not the server
// runs.
//
//   myelin-admin create-user --config homeserver.yaml --user alice
//       --password PW [--admin true] [--url http://127.0.0.1:8008]
//
// A stopped server: opens the database in the config's data_dir directly
// and writes the account (creating the database if the server never ran).
// A running server holds RocksDB's lock, so the account is created through
// its shared-secret endpoint (POST /_synapse/admin/v1/register) with the
// config's registration_shared_secret: at --url if given, else at the
// config's first plain-HTTP client listener. --url forces the HTTP path.
// HTTPS is not spoken by this tool: point --url at a plain listener (for
// example one on 127.0.0.1 that serves `client`).
#ifndef MYELIN_TOOLS_CREATE_USER_H_
#define MYELIN_TOOLS_CREATE_USER_H_

#include <map>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace myelin::tools {

// `flags`: config, user, password, and optional admin, url.
absl::Status CreateUserCommand(const std::map<std::string, std::string>& flags,
                               std::ostream& out);

}  // namespace myelin::tools

#endif  // MYELIN_TOOLS_CREATE_USER_H_
