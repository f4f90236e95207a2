// myelin-admin: operator commands on a stopped server's data directory.
// See tools/admin_commands.h. Exit status: 0 done, 1 failed, 2 bad usage.
#include <iostream>
#include <string>
#include <vector>

#include "tools/admin_commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help") {
    std::cout << myelin::tools::AdminUsage();
    return args.empty() ? 2 : 0;
  }
  absl::Status status = myelin::tools::RunAdminCommand(args, std::cout);
  if (status.ok()) return 0;
  std::cerr << "myelin-admin: " << status.message() << "\n";
  if (status.code() == absl::StatusCode::kInvalidArgument) {
    std::cerr << myelin::tools::AdminUsage();
    return 2;
  }
  return 1;
}
