// The fixture of the account integration tests: a real server with a fast
// password hash, and JSON helpers.
#ifndef MYELIN_TESTS_INTEGRATION_ACCOUNTS_FIXTURE_H_
#define MYELIN_TESTS_INTEGRATION_ACCOUNTS_FIXTURE_H_

#include <signal.h>

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "gtest/gtest.h"
#include "tests/support/http_client.h"
#include "tests/support/server_process.h"

namespace myelin::testing {

inline constexpr char kV3[] = "/_matrix/client/v3";

inline std::string Config(const std::string& extra) {
  return absl::StrCat(R"(server_name: test.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    resources: [client]
data_dir: ./data
memory_budget_mb: 32
sync_writes: false
argon2_opslimit: 1
argon2_memlimit_kib: 8
)",
                      extra);
}

struct Reply {
  int status = 0;
  boost::json::object body;
  std::map<std::string, std::string> headers;
  std::string Errcode() const {
    const auto* code = body.if_contains("errcode");
    return code != nullptr && code->is_string()
               ? std::string(code->get_string())
               : "";
  }
  std::string Str(const char* key) const {
    const auto* value = body.if_contains(key);
    return value != nullptr && value->is_string()
               ? std::string(value->get_string())
               : "";
  }
};

class AccountsTest : public ::testing::Test {
 protected:
  void Start(const std::string& extra =
                 "enable_registration: true\n"
                 "registration_shared_secret: s3cret\n"
                 "rate_limiting: {enabled: false}\n") {
    if (dir_.empty()) dir_ = NewTempDir("accounts");
    extra_ = extra;
    auto server = ServerProcess::Start(dir_, Config(extra));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  void Restart() {
    client_.reset();
    ASSERT_TRUE(server_->Stop(SIGTERM).ok());
    server_.reset();
    Start(extra_);
  }

  Reply Call(const std::string& method, const std::string& path,
             const std::string& body = "", const std::string& token = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto result = client_->Send(method, path, body, headers);
    Reply reply;
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      return reply;
    }
    reply.status = result->status;
    reply.headers = result->headers;
    boost::json::error_code ec;
    boost::json::value value = boost::json::parse(result->body, ec);
    if (!ec && value.is_object()) reply.body = value.get_object();
    return reply;
  }

  // Registers through the dummy UIA flow; returns the login reply.
  Reply Register(const std::string& username, const std::string& password,
                 const std::string& extra_fields = "") {
    Reply challenge = Call("POST", absl::StrCat(kV3, "/register"), "{}");
    EXPECT_EQ(challenge.status, 401);
    return Call("POST", absl::StrCat(kV3, "/register"),
                absl::StrCat(R"({"username":")", username,
                             R"(","password":")", password, R"(",)",
                             extra_fields,
                             R"("auth":{"type":"m.login.dummy","session":")",
                             challenge.Str("session"), R"("}})"));
  }

  Reply Login(const std::string& user, const std::string& password,
              const std::string& extra_fields = "") {
    return Call("POST", absl::StrCat(kV3, "/login"),
                absl::StrCat(R"({"type":"m.login.password",)", extra_fields,
                             R"("identifier":{"type":"m.id.user","user":")",
                             user, R"("},"password":")", password, R"("})"));
  }

  Reply WhoAmI(const std::string& token) {
    return Call("GET", absl::StrCat(kV3, "/account/whoami"), "", token);
  }

  std::string dir_, extra_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace myelin::testing

#endif  // MYELIN_TESTS_INTEGRATION_ACCOUNTS_FIXTURE_H_
