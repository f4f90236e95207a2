// Reaching a running server from myelin-admin: which URL, and what its
// JSON replies mean.
#ifndef MYELIN_TOOLS_RUNNING_SERVER_H_
#define MYELIN_TOOLS_RUNNING_SERVER_H_

#include <string>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "server/config/config.h"
#include "tools/plain_http.h"

namespace myelin::tools {

// The URL of the config's first plain listener serving the client API.
absl::StatusOr<std::string> ClientUrl(const config::Config& config);

// A JSON object reply, or the server's error as a Status.
absl::StatusOr<boost::json::object> JsonReply(
    absl::StatusOr<PlainHttpResponse> response);

// Whether opening the database failed because a running server holds it.
bool HeldByRunningServer(const absl::Status& status);

}  // namespace myelin::tools

#endif  // MYELIN_TOOLS_RUNNING_SERVER_H_
