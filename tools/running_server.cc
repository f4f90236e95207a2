#include "tools/running_server.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"

namespace myelin::tools {

// A JSON object reply, or the server's error as a Status.
absl::StatusOr<boost::json::object> JsonReply(
    absl::StatusOr<PlainHttpResponse> response) {
  if (!response.ok()) return response.status();
  boost::json::error_code ec;
  boost::json::value value = boost::json::parse(response->body, ec);
  if (ec || !value.is_object()) {
    return absl::UnavailableError(
        absl::StrCat("HTTP ", response->status, ": not a JSON reply"));
  }
  if (response->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("server refused: HTTP ", response->status, " ",
                     boost::json::serialize(value)));
  }
  return std::move(value.get_object());
}

// The URL of the config's first plain listener serving the client API.
absl::StatusOr<std::string> ClientUrl(const config::Config& config) {
  for (const config::Listener& listener : config.listeners) {
    bool client = false;
    for (config::Resource r : listener.resources) {
      client = client || r == config::Resource::kClient;
    }
    if (!client || listener.tls || listener.port == 0) continue;
    std::string host = listener.bind_addresses.front();
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return absl::StrCat("http://", host, ":", listener.port);
  }
  return absl::FailedPreconditionError(
      "the server is running and has no plain-HTTP client listener with a "
      "fixed port: pass --url");
}

bool HeldByRunningServer(const absl::Status& status) {
  return status.code() == absl::StatusCode::kFailedPrecondition &&
         absl::StrContains(status.message(), "running server");
}

}  // namespace myelin::tools
