#include "server/client/discovery.h"

#include "boost/json/parse.hpp"
#include "gtest/gtest.h"

namespace myelin::client {
namespace {

absl::StatusOr<http::Response> Call(const http::RouteTable& table,
                                    const std::string& path) {
  http::Match match = table.Lookup(http::Method::kGet, path);
  if (match.kind != http::Match::Kind::kFound) {
    return absl::NotFoundError("no route");
  }
  return match.route->handler(http::Request());
}

TEST(DiscoveryTest, VersionsListsOnlySupportedVersions) {
  http::RouteTable table;
  ASSERT_TRUE(AddVersionsRoutes(&table).ok());
  auto response = Call(table, "/_matrix/client/versions");
  ASSERT_TRUE(response.ok());
  auto body = boost::json::parse(response->body).as_object();
  ASSERT_TRUE(body.at("versions").is_array());
  EXPECT_EQ(body.at("versions").as_array().size(),
            SupportedSpecVersions().size());
  EXPECT_TRUE(body.at("unstable_features").is_object());
}

TEST(DiscoveryTest, WellKnownClientCarriesBaseUrl) {
  http::RouteTable table;
  ASSERT_TRUE(AddWellKnownRoutes(&table, {"https://matrix.example.org", ""}).ok());
  auto response = Call(table, "/.well-known/matrix/client");
  ASSERT_TRUE(response.ok());
  auto body = boost::json::parse(response->body).as_object();
  EXPECT_EQ(body.at("m.homeserver").at("base_url").as_string(),
            "https://matrix.example.org");
  // Without a configured delegation the server file is a 404.
  EXPECT_EQ(Call(table, "/.well-known/matrix/server").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DiscoveryTest, WellKnownServerWhenConfigured) {
  http::RouteTable table;
  ASSERT_TRUE(
      AddWellKnownRoutes(&table, {"http://x", "matrix.example.org:443"}).ok());
  auto response = Call(table, "/.well-known/matrix/server");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(boost::json::parse(response->body).at("m.server").as_string(),
            "matrix.example.org:443");
}

TEST(DiscoveryTest, CapabilitiesListEveryRoomVersion) {
  http::RouteTable table;
  ASSERT_TRUE(AddCapabilitiesRoutes(&table).ok());
  auto response = Call(table, "/_matrix/client/v3/capabilities");
  ASSERT_TRUE(response.ok());
  auto body = boost::json::parse(response->body).as_object();
  const auto& capabilities = body.at("capabilities").as_object();
  EXPECT_TRUE(capabilities.at("m.change_password").at("enabled").as_bool());
  EXPECT_FALSE(capabilities.at("m.3pid_changes").at("enabled").as_bool());
  const auto& versions = capabilities.at("m.room_versions").as_object();
  EXPECT_EQ(versions.at("default").as_string(), "12");
  EXPECT_EQ(versions.at("available").as_object().size(), 12u);
  EXPECT_EQ(versions.at("available").at("1").as_string(), "stable");
}

}  // namespace
}  // namespace myelin::client
