// myelin-admin media: quarantines, releases or deletes local media whether
// or not the server runs.
//
//   myelin-admin media --config homeserver.yaml --mxc mxc://example.org/abc
//       --action quarantine|unquarantine|delete [--url http://127.0.0.1:8008]
//
// A stopped server: the database in the config's data_dir is changed
// directly. A running server holds RocksDB's lock, so the change goes
// through its admin endpoints (server/media/media_admin.cc) with the admin
// token from <data_dir>/admin.token, at --url or the config's first
// plain-HTTP client listener. Deleting frees the content once no other
// media id refers to it; the space returns after compaction.
#ifndef MYELIN_TOOLS_MEDIA_COMMAND_H_
#define MYELIN_TOOLS_MEDIA_COMMAND_H_

#include <map>
#include <ostream>
#include <string>

#include "absl/status/status.h"

namespace myelin::tools {

// `flags`: config, mxc, action, and optional url.
absl::Status MediaCommand(const std::map<std::string, std::string>& flags,
                          std::ostream& out);

}  // namespace myelin::tools

#endif  // MYELIN_TOOLS_MEDIA_COMMAND_H_
