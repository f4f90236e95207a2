#include "server/client/discovery.h"

#include "boost/json/array.hpp"
#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/room_version/room_version.h"

namespace myelin::client {

using http::Execution;
using http::Method;
using http::Request;
using http::Response;
using http::Route;

const std::vector<std::string>& SupportedSpecVersions() {
  // Advertised once /sync existed: with login, rooms and /sync a client can
  // chat. Up to v1.16 because /sync answers use_state_after (added in
  // v1.16); end-to-end encryption and media are still missing, and clients
  // discover that from the 404s of those endpoints, as with any server that
  // does not implement an optional module.
  static const std::vector<std::string> kVersions = {
      "r0.6.1", "v1.1",  "v1.2",  "v1.3",  "v1.4",  "v1.5",  "v1.6", "v1.7",
      "v1.8",   "v1.9",  "v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15",
      "v1.16"};
  return kVersions;
}

absl::Status AddVersionsRoutes(http::RouteTable* table) {
  boost::json::object body;
  boost::json::array versions;
  for (const std::string& version : SupportedSpecVersions()) {
    versions.emplace_back(version);
  }
  body["versions"] = std::move(versions);
  body["unstable_features"] = boost::json::object();
  Route route;
  route.pattern = "/_matrix/client/versions";
  route.execution = Execution::kInline;
  route.handler = [text = boost::json::serialize(body)](
                      const Request&) -> absl::StatusOr<Response> {
    return Response::Json(text);
  };
  return table->Add(std::move(route));
}

absl::Status AddCapabilitiesRoutes(http::RouteTable* table) {
  boost::json::object available;
  for (const RoomVersionRules& rules : AllRoomVersions()) {
    available[rules.id] = rules.stable ? "stable" : "unstable";
  }
  boost::json::object enabled{{"enabled", true}};
  boost::json::object capabilities{
      {"m.change_password", enabled},
      {"m.set_displayname", enabled},
      {"m.set_avatar_url", enabled},
      {"m.3pid_changes", {{"enabled", false}}},
      {"m.get_login_token", {{"enabled", false}}},
      {"m.room_versions",
       {{"default", std::string(DefaultRoomVersion().id)},
        {"available", std::move(available)}}}};
  Route route;
  route.pattern = "/capabilities";
  route.auth = http::Auth::kUser;
  route.execution = Execution::kInline;
  route.handler = [text = boost::json::serialize(boost::json::object{
                       {"capabilities", std::move(capabilities)}})](
                      const Request&) -> absl::StatusOr<Response> {
    return Response::Json(text);
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

absl::Status AddWellKnownRoutes(http::RouteTable* table,
                                const DiscoveryOptions& options) {
  boost::json::object client;
  client["m.homeserver"] = {{"base_url", options.client_base_url}};
  Route client_route;
  client_route.pattern = "/.well-known/matrix/client";
  client_route.execution = Execution::kInline;
  client_route.handler = [text = boost::json::serialize(client)](
                             const Request&) -> absl::StatusOr<Response> {
    return Response::Json(text);
  };
  RETURN_IF_ERROR(table->Add(std::move(client_route)));

  Route server_route;
  server_route.pattern = "/.well-known/matrix/server";
  server_route.execution = Execution::kInline;
  if (options.federation_server.empty()) {
    server_route.handler = [](const Request&) -> absl::StatusOr<Response> {
      return NotFound("No .well-known/matrix/server is configured");
    };
  } else {
    boost::json::object server{{"m.server", options.federation_server}};
    server_route.handler = [text = boost::json::serialize(server)](
                               const Request&) -> absl::StatusOr<Response> {
      return Response::Json(text);
    };
  }
  return table->Add(std::move(server_route));
}

}  // namespace myelin::client
