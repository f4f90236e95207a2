// The commands of myelin-admin, as a library so tests run them in-process.
//
//   myelin-admin backup   --data-dir DIR --to TARGET
//   myelin-admin db-stats --data-dir DIR
//   myelin-admin compact  --data-dir DIR
//   myelin-admin create-user --config FILE --user NAME --password PW
//                [--admin true|false] [--url URL]   (tools/create_user.h)
//
// Every command but create-user opens the database in DIR/db
// (storage::DatabasePathIn) below the schema (no migration, any
// server_name), so it also works on a
// database written by a newer release. The server holds the database's LOCK
// while it runs; the commands then fail with FailedPrecondition saying so.
#ifndef MYELIN_TOOLS_ADMIN_COMMANDS_H_
#define MYELIN_TOOLS_ADMIN_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace myelin::tools {

std::string AdminUsage();

// Runs the command in `args` (argv without the program name), printing its
// report to `out`. InvalidArgument for a malformed command line (the caller
// prints AdminUsage()), otherwise the command's own error.
absl::Status RunAdminCommand(const std::vector<std::string>& args,
                             std::ostream& out);

}  // namespace myelin::tools

#endif  // MYELIN_TOOLS_ADMIN_COMMANDS_H_
