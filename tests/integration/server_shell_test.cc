// The foundation's promises, checked against the real binary: discovery,
// errors, CORS, metrics, TLS, graceful shutdown, config refusal, restarts and
// backups on the same data.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/http_client.h"
#include "tests/support/self_signed.h"
#include "tests/support/server_process.h"

namespace myelin::testing {
namespace {

using ::testing::HasSubstr;

std::string PlainConfig(const std::string& extra = "") {
  return absl::StrCat(R"(server_name: test.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [client, health, metrics]
data_dir: ./data
memory_budget_mb: 32
sync_writes: false
pid_file: ./myelin.pid
max_request_body_bytes: 2048
)",
                      extra);
}

std::string Errcode(const HttpResult& result) {
  return std::string(
      boost::json::parse(result.body).at("errcode").as_string());
}

std::string AdminToken(const std::string& dir) {
  std::ifstream file(dir + "/data/admin.token");
  std::string token;
  std::getline(file, token);
  return token;
}

boost::json::object ServerInfo(HttpClient& client, const std::string& token) {
  auto result = client.Send("GET", "/_myelin/admin/v1/server_info", "",
                            {{"Authorization", "Bearer " + token}});
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result->status, 200) << result->body;
  return boost::json::parse(result->body).as_object();
}

class ServerShellTest : public ::testing::Test {
 protected:
  void StartPlain(const std::string& extra = "") {
    dir_ = NewTempDir("shell");
    auto server = ServerProcess::Start(dir_, PlainConfig(extra));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  std::string dir_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ServerShellTest, ServesVersionsWithCors) {
  StartPlain();
  for (const std::string& path : {"/_matrix/client/versions"}) {
    auto result = client_->Get(path);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->status, 200);
    auto body = boost::json::parse(result->body).as_object();
    EXPECT_TRUE(body.at("versions").is_array());
    EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
  }
}

TEST_F(ServerShellTest, ErrorsHaveMatrixShape) {
  StartPlain();
  auto unknown = client_->Get("/_matrix/client/v3/no_such_endpoint");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Errcode(*unknown), "M_UNRECOGNIZED");
  EXPECT_EQ(unknown->Header("access-control-allow-origin"), "*");

  auto wrong_method = client_->Send("PUT", "/_matrix/client/versions", "{}");
  ASSERT_TRUE(wrong_method.ok());
  EXPECT_EQ(wrong_method->status, 405);
  EXPECT_EQ(Errcode(*wrong_method), "M_UNRECOGNIZED");

  std::string token = AdminToken(dir_);
  auto not_json = client_->Send("POST", "/_myelin/admin/v1/backup", "{oops",
                                {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(not_json.ok());
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Errcode(*not_json), "M_NOT_JSON");

  auto missing_token = client_->Send("POST", "/_myelin/admin/v1/backup", "{}");
  ASSERT_TRUE(missing_token.ok());
  EXPECT_EQ(missing_token->status, 401);
  EXPECT_EQ(Errcode(*missing_token), "M_MISSING_TOKEN");

  HttpClient fresh("127.0.0.1", server_->port());
  auto too_large = fresh.Send("POST", "/_myelin/admin/v1/backup",
                              std::string(4096, ' '),
                              {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(too_large.ok()) << too_large.status();
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(Errcode(*too_large), "M_TOO_LARGE");
}

TEST_F(ServerShellTest, AnswersCorsPreflight) {
  StartPlain();
  auto result = client_->Send(
      "OPTIONS", "/_matrix/client/v3/login", "",
      {{"Origin", "https://app.element.io"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "authorization, content-type"}});
  ASSERT_TRUE(result.ok());
  EXPECT_GE(result->status, 200);
  EXPECT_LT(result->status, 300);
  EXPECT_EQ(result->Header("access-control-allow-origin"), "*");
  EXPECT_THAT(result->Header("access-control-allow-methods"), HasSubstr("POST"));
  EXPECT_THAT(result->Header("access-control-allow-headers"),
              HasSubstr("Authorization"));
  EXPECT_THAT(result->Header("access-control-allow-headers"),
              HasSubstr("Content-Type"));
  EXPECT_FALSE(result->Header("access-control-max-age").empty());
}

TEST_F(ServerShellTest, ServesWellKnownAndHealth) {
  StartPlain("well_known_server: \"matrix.test.example:443\"\n"
             "public_baseurl: \"https://matrix.test.example\"\n");
  auto client = client_->Get("/.well-known/matrix/client");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(boost::json::parse(client->body).at("m.homeserver").at("base_url"),
            "https://matrix.test.example");
  auto server = client_->Get("/.well-known/matrix/server");
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(boost::json::parse(server->body).at("m.server"),
            "matrix.test.example:443");
  auto health = client_->Get("/health");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "OK");
}

TEST_F(ServerShellTest, MetricsCountRequestsAndReportStorage) {
  StartPlain();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client_->Get("/_matrix/client/versions").ok());
  ASSERT_TRUE(client_->Get("/nope").ok());
  auto metrics = client_->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->Header("content-type"), HasSubstr("text/plain"));
  EXPECT_THAT(metrics->body, HasSubstr(
      "myelin_http_requests_total{route=\"/_matrix/client/versions\",method=\"GET\",status=\"200\"} 3\n"));
  EXPECT_THAT(metrics->body, HasSubstr(
      "myelin_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n"));
  EXPECT_THAT(metrics->body, HasSubstr(
      "myelin_http_request_duration_seconds_count{route=\"/_matrix/client/versions\",method=\"GET\"} 3\n"));
  EXPECT_THAT(metrics->body, HasSubstr("myelin_rocksdb_memory_budget_bytes 33554432\n"));
  EXPECT_THAT(metrics->body, HasSubstr("myelin_rocksdb_block_cache_usage_bytes "));
  EXPECT_THAT(metrics->body, HasSubstr("myelin_rocksdb_sst_bytes{cf=\"meta\"}"));
  EXPECT_THAT(metrics->body, HasSubstr("myelin_process_resident_memory_bytes "));
}

TEST_F(ServerShellTest, ServesTls) {
  std::string dir = NewTempDir("tls");
  ASSERT_TRUE(WriteSelfSignedCertificate(dir + "/cert.pem", dir + "/key.pem",
                                         "localhost")
                  .ok());
  auto server = ServerProcess::Start(dir, R"(server_name: tls.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    tls: true
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [metrics]
tls_certificate_path: ./cert.pem
tls_private_key_path: ./key.pem
data_dir: ./data
memory_budget_mb: 32
)",
                                     2);
  ASSERT_TRUE(server.ok()) << server.status();
  const auto& listening = (*server)->listening();
  ASSERT_TRUE(listening[0].tls);
  HttpClient tls("127.0.0.1", listening[0].port, /*tls=*/true);
  auto versions = tls.Get("/_matrix/client/versions");
  ASSERT_TRUE(versions.ok()) << versions.status();
  EXPECT_EQ(versions->status, 200);
  // The metrics-only listener still answers .well-known, and nothing else.
  HttpClient plain("127.0.0.1", listening[1].port);
  EXPECT_EQ(plain.Get("/.well-known/matrix/client")->status, 200);
  EXPECT_EQ(plain.Get("/_matrix/client/versions")->status, 404);
  EXPECT_EQ(plain.Get("/metrics")->status, 200);
  // A TLS client on the plain listener is turned away at once.
  HttpClient confused("127.0.0.1", listening[1].port, /*tls=*/true, 5);
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(confused.Get("/metrics").ok());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(*(*server)->Stop(SIGTERM), 0);
}

TEST_F(ServerShellTest, GracefulShutdownOnSigterm) {
  StartPlain();
  std::string pid_file = dir_ + "/myelin.pid";
  ASSERT_TRUE(std::filesystem::exists(pid_file));
  ASSERT_TRUE(client_->Get("/_matrix/client/versions").ok());
  ASSERT_TRUE(client_->connected());  // An idle keep-alive connection.
  auto started = std::chrono::steady_clock::now();
  absl::StatusOr<int> code = server_->Stop(SIGTERM);
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0);
  // The idle connection did not hold shutdown for its 30 s read timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_THAT(server_->StdoutText(), HasSubstr("myelin: stopped"));
  EXPECT_FALSE(std::filesystem::exists(pid_file));
}

TEST_F(ServerShellTest, SigintAlsoShutsDown) {
  StartPlain();
  EXPECT_EQ(*server_->Stop(SIGINT), 0);
}

TEST_F(ServerShellTest, RestartKeepsDataAndKeys) {
  StartPlain();
  std::string token = AdminToken(dir_);
  boost::json::object first = ServerInfo(*client_, token);
  EXPECT_EQ(first.at("server_name"), "test.example");
  ASSERT_EQ(*server_->Stop(SIGTERM), 0);

  auto again = ServerProcess::Start(dir_, PlainConfig());
  ASSERT_TRUE(again.ok()) << again.status();
  HttpClient client("127.0.0.1", (*again)->port());
  boost::json::object second = ServerInfo(client, AdminToken(dir_));
  EXPECT_EQ(second.at("database_created_ts"), first.at("database_created_ts"));
  EXPECT_EQ(second.at("signing_key_id"), first.at("signing_key_id"));
  EXPECT_EQ(second.at("signing_public_key"), first.at("signing_public_key"));
  EXPECT_EQ(AdminToken(dir_), token);
  EXPECT_EQ(*(*again)->Stop(SIGTERM), 0);
}

TEST_F(ServerShellTest, KillDashNineLosesNothingAcknowledged) {
  StartPlain();
  boost::json::object first = ServerInfo(*client_, AdminToken(dir_));
  ASSERT_EQ(*server_->Stop(SIGKILL), 128 + SIGKILL);
  auto again = ServerProcess::Start(dir_, PlainConfig());
  ASSERT_TRUE(again.ok()) << again.status();
  HttpClient client("127.0.0.1", (*again)->port());
  EXPECT_EQ(ServerInfo(client, AdminToken(dir_)).at("database_created_ts"),
            first.at("database_created_ts"));
}

TEST_F(ServerShellTest, OnlineBackupOpensAsAServer) {
  StartPlain();
  std::string token = AdminToken(dir_);
  boost::json::object original = ServerInfo(*client_, token);
  std::string backup_root = NewTempDir("backup");
  std::string backup_dir = backup_root + "/data";
  auto backup = client_->Send("POST", "/_myelin/admin/v1/backup",
                              absl::StrCat(R"({"target_dir":")", backup_dir, "\"}"),
                              {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(backup.ok());
  ASSERT_EQ(backup->status, 200) << backup->body;
  // A second backup to the same place is refused, not merged.
  auto again = client_->Send("POST", "/_myelin/admin/v1/backup",
                             absl::StrCat(R"({"target_dir":")", backup_dir, "\"}"),
                             {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(again->status, 400);

  // Restore: the backup is a data_dir of its own, signing key included.
  std::string restored = NewTempDir("restored");
  std::string config = PlainConfig();
  config.replace(config.find("data_dir: ./data"), 16,
                 "data_dir: " + backup_dir);
  auto server = ServerProcess::Start(restored, config);
  ASSERT_TRUE(server.ok()) << server.status();
  HttpClient client("127.0.0.1", (*server)->port());
  boost::json::object info = ServerInfo(client, AdminToken(backup_root));
  EXPECT_EQ(info.at("database_created_ts"), original.at("database_created_ts"));
  EXPECT_EQ(info.at("signing_public_key"), original.at("signing_public_key"));
}

TEST_F(ServerShellTest, InvalidConfigIsRefusedWithTheKeyPath) {
  std::string dir = NewTempDir("badconfig");
  auto exit = ServerProcess::RunToExit(
      dir, "server_name: x\nlisteners:\n  - port: 0\n    colour: blue\n");
  EXPECT_EQ(exit.code, 2);
  EXPECT_THAT(exit.stderr_text, HasSubstr("listeners[0].colour: unknown key"));
  auto typed = ServerProcess::RunToExit(dir, "memory_budget_mb: plenty\n");
  EXPECT_EQ(typed.code, 2);
  EXPECT_THAT(typed.stderr_text, HasSubstr("memory_budget_mb"));
}

TEST_F(ServerShellTest, DatabaseOfAnotherServerNameIsRefused) {
  StartPlain();
  ASSERT_EQ(*server_->Stop(SIGTERM), 0);
  std::string config = PlainConfig();
  config.replace(config.find("test.example"), 12, "other.example");
  auto exit = ServerProcess::RunToExit(dir_, config);
  EXPECT_EQ(exit.code, 1);
  EXPECT_THAT(exit.stderr_text, HasSubstr("test.example"));
}

TEST_F(ServerShellTest, PortInUseIsAClearStartupError) {
  StartPlain();
  std::string dir = NewTempDir("second");
  std::string config = PlainConfig();
  config.replace(config.find("port: 0"), 7,
                 absl::StrCat("port: ", server_->port()));
  auto exit = ServerProcess::RunToExit(dir, config);
  EXPECT_EQ(exit.code, 1);
  EXPECT_THAT(exit.stderr_text, HasSubstr("cannot listen on 127.0.0.1"));
}

}  // namespace
}  // namespace myelin::testing
