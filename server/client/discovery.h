// Spec: client-server-api, "Server Discovery" and "API Standards /
// versions"; server-server-api, "Resolving server names" (.well-known).
#ifndef MYELIN_SERVER_CLIENT_DISCOVERY_H_
#define MYELIN_SERVER_CLIENT_DISCOVERY_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "server/http/router.h"

namespace myelin::client {

// The Matrix spec versions Myelin implements. A version is listed only when
// every endpoint that version requires of a homeserver is served, so that
// clients never assume features that are missing; the list grows as the
// Client-Server API lands.
const std::vector<std::string>& SupportedSpecVersions();

struct DiscoveryOptions {
  // base_url in /.well-known/matrix/client.
  std::string client_base_url;
  // m.server in /.well-known/matrix/server; empty: 404.
  std::string federation_server;
};

// GET /_matrix/client/versions.
absl::Status AddVersionsRoutes(http::RouteTable* table);

// GET /capabilities. Spec: client-server-api, "Capabilities negotiation":
// password changes, profile changes, the room versions this server knows
// and its default; 3PID changes and login tokens are not offered.
absl::Status AddCapabilitiesRoutes(http::RouteTable* table);

// GET /.well-known/matrix/client and /.well-known/matrix/server. Served on
// every listener: clients look them up on whatever address the user typed.
absl::Status AddWellKnownRoutes(http::RouteTable* table,
                                const DiscoveryOptions& options);

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_DISCOVERY_H_
