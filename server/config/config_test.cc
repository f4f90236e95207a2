#include "server/config/config.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace myelin::config {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(std::string_view yaml) {
  absl::StatusOr<Config> config = ParseConfig(yaml);
  EXPECT_FALSE(config.ok()) << yaml;
  return config.ok() ? "" : std::string(config.status().message());
}

TEST(ConfigTest, EmbeddedDefaultServesLocalhostOn8008) {
  absl::StatusOr<Config> config = ParseConfig(EmbeddedDefaultConfig());
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server_name, "localhost");
  ASSERT_EQ(config->listeners.size(), 1u);
  EXPECT_EQ(config->listeners[0].port, 8008);
  EXPECT_EQ(config->listeners[0].bind_addresses[0], "127.0.0.1");
  EXPECT_FALSE(config->listeners[0].tls);
}

TEST(ConfigTest, SampleConfigParsesAndDocumentsEveryKey) {
  // The sample config in docs/ is what operators copy; it must stay valid.
  std::string path = std::string(std::getenv("TEST_SRCDIR")) +
                     "/myelin/docs/homeserver.sample.yaml";
  absl::StatusOr<Config> config = LoadConfigFile(path);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server_name, "example.org");
}

TEST(ConfigTest, ReadsEveryTypedField) {
  absl::StatusOr<Config> config = ParseConfig(R"(
server_name: example.org
public_baseurl: https://matrix.example.org
listeners:
  - bind_addresses: ["::1", "127.0.0.1"]
    port: 0
    tls: true
    resources: [client, metrics]
tls_certificate_path: /etc/cert.pem
tls_private_key_path: /etc/key.pem
memory_budget_mb: 64
sync_writes: false
log_level: debug
enable_registration: yes
max_request_body_bytes: 4096
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->public_baseurl, "https://matrix.example.org");
  EXPECT_EQ(config->listeners[0].bind_addresses.size(), 2u);
  EXPECT_EQ(config->listeners[0].port, 0);
  EXPECT_TRUE(config->listeners[0].tls);
  EXPECT_EQ(config->listeners[0].resources,
            (std::vector<Resource>{Resource::kClient, Resource::kMetrics}));
  EXPECT_EQ(config->memory_budget_mb, 64u);
  EXPECT_FALSE(config->sync_writes);
  EXPECT_TRUE(config->enable_registration);
  EXPECT_EQ(config->max_request_body_bytes, 4096u);
}

TEST(ConfigTest, MissingKeysKeepDefaults) {
  absl::StatusOr<Config> config = ParseConfig("server_name: a.example\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->memory_budget_mb, 512u);
  EXPECT_TRUE(config->sync_writes);
  EXPECT_EQ(config->listeners[0].port, 8008);
}

TEST(ConfigTest, UnknownKeysAreReportedWithTheirPath) {
  EXPECT_THAT(ErrorOf("server_nmae: x\n"), HasSubstr("server_nmae: unknown key"));
  EXPECT_THAT(ErrorOf("listeners:\n  - port: 1\n    tsl: true\n"),
              HasSubstr("listeners[0].tsl: unknown key"));
}

TEST(ConfigTest, WrongTypesAreReportedWithTheirPath) {
  EXPECT_THAT(ErrorOf("memory_budget_mb: lots\n"),
              HasSubstr("memory_budget_mb: expected a non-negative integer"));
  EXPECT_THAT(ErrorOf("sync_writes: maybe\n"),
              HasSubstr("sync_writes: expected true or false"));
  EXPECT_THAT(ErrorOf("listeners:\n  - port: 70000\n"),
              HasSubstr("listeners[0].port: must be between 0 and 65535"));
  EXPECT_THAT(ErrorOf("server_name: [a, b]\n"),
              HasSubstr("server_name: expected a string, got a list"));
  EXPECT_THAT(ErrorOf("listeners: 8008\n"),
              HasSubstr("listeners: expected a list"));
  EXPECT_THAT(ErrorOf("listeners:\n  - resources: [client, ftp]\n"),
              HasSubstr("unknown resource 'ftp'"));
}

TEST(ConfigTest, ReportsEveryMistakeAtOnce) {
  std::string error = ErrorOf("a: 1\nb: 2\nsync_writes: 3\n");
  EXPECT_THAT(error, HasSubstr("a: unknown key"));
  EXPECT_THAT(error, HasSubstr("b: unknown key"));
  EXPECT_THAT(error, HasSubstr("sync_writes: expected true or false"));
}

TEST(ConfigTest, CrossFieldChecks) {
  EXPECT_THAT(ErrorOf("listeners:\n  - tls: true\n"),
              HasSubstr("needs tls_certificate_path"));
  EXPECT_THAT(ErrorOf("log_level: chatty\n"), HasSubstr("unknown log level"));
  EXPECT_THAT(ErrorOf("listeners:\n  - port: 9000\n  - port: 9000\n"),
              HasSubstr("bound twice"));
}

TEST(ConfigTest, InvalidYamlIsAnError) {
  EXPECT_THAT(ErrorOf("server_name: [unclosed\n"), HasSubstr("not valid YAML"));
  EXPECT_THAT(ErrorOf("- just\n- a list\n"), HasSubstr("expected a mapping"));
}

TEST(ConfigTest, MissingFileIsAnError) {
  absl::StatusOr<Config> config = LoadConfigFile("/nonexistent/myelin.yaml");
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace myelin::config
