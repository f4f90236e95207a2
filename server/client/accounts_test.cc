// Accounts and its authenticator, in-process through the real route table
// and dispatcher (the integration tests drive the binary).
#include "server/client/accounts.h"

#include "boost/json/parse.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "server/http/dispatcher.h"
#include "server/http/error_response.h"
#include "storage/testing.h"

namespace myelin::client {
namespace {

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = storage::Engine::Open(storage::testing::TestOptions(
        storage::testing::NewTempPath("accounts")));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(engine).value();
    config_.server_name = "example.org";
    config_.enable_registration = true;
    config_.refresh_tokens = true;
    config_.access_token_lifetime_ms = 1000;
    config_.argon2_opslimit = 1;
    config_.argon2_memlimit_kib = 8;
    accounts_ = std::make_unique<Accounts>(config_, engine_.get(), &clock_,
                                           nullptr, AccountLimits());
    http::RouteTable table;
    ASSERT_TRUE(accounts_->AddRoutes(&table).ok());
    dispatcher_ = std::make_unique<http::Dispatcher>(
        std::move(table), accounts_->authenticator());
  }

  // Runs a request through the dispatcher and handler.
  std::pair<int, boost::json::object> Call(http::Method method,
                                           const std::string& path,
                                           const std::string& body = "",
                                           const std::string& token = "") {
    http::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.remote_address = "127.0.0.1";
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    http::Dispatcher::Decision decision = dispatcher_->Prepare(&request);
    http::Response response =
        decision.route == nullptr
            ? decision.response
            : dispatcher_->Complete(decision.route->handler(request));
    return {response.status,
            boost::json::parse(response.body).as_object()};
  }

  FakeClock clock_;
  config::Config config_;
  std::unique_ptr<storage::Engine> engine_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<http::Dispatcher> dispatcher_;
};

TEST_F(AccountsTest, LocalpartRules) {
  EXPECT_TRUE(accounts_->CheckNewLocalpart("alice.b_c=d-e/f+g").ok());
  EXPECT_EQ(ErrcodeOf(accounts_->CheckNewLocalpart("Alice")),
            "M_INVALID_USERNAME");
  EXPECT_EQ(ErrcodeOf(accounts_->CheckNewLocalpart("a b")),
            "M_INVALID_USERNAME");
  EXPECT_EQ(ErrcodeOf(accounts_->CheckNewLocalpart(std::string(250, 'a'))),
            "M_INVALID_USERNAME");
  EXPECT_EQ(*accounts_->LocalpartOf("@Alice:example.org"), "alice");
  EXPECT_EQ(*accounts_->LocalpartOf("bob"), "bob");
  EXPECT_FALSE(accounts_->LocalpartOf("@bob:other.org").ok());
}

TEST_F(AccountsTest, RegisterRefreshExpireSoftLogout) {
  auto [status, body] = Call(
      http::Method::kPost, "/_matrix/client/v3/register",
      R"({"username":"alice","password":"pw","refresh_token":true,)"
      R"("auth":{"type":"m.login.dummy"}})");
  ASSERT_EQ(status, 200) << boost::json::serialize(body);
  std::string access(body.at("access_token").as_string());
  std::string refresh(body.at("refresh_token").as_string());
  EXPECT_EQ(body.at("expires_in_ms"), 1000);

  // A refresh token is not an access token.
  EXPECT_EQ(Call(http::Method::kGet, "/_matrix/client/v3/account/whoami", "",
                 refresh).first, 401);
  auto whoami =
      Call(http::Method::kGet, "/_matrix/client/v3/account/whoami", "", access);
  EXPECT_EQ(whoami.second.at("user_id"), "@alice:example.org");

  clock_.Advance(1000);
  auto expired =
      Call(http::Method::kGet, "/_matrix/client/v3/account/whoami", "", access);
  EXPECT_EQ(expired.first, 401);
  EXPECT_EQ(expired.second.at("errcode"), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(expired.second.at("soft_logout"), true);

  // A soft-logged-out client may still log out...
  auto other = Call(http::Method::kPost, "/_matrix/client/v3/login",
                    R"({"type":"m.login.password","user":"alice",)"
                    R"("password":"pw","refresh_token":true})");
  std::string other_token(other.second.at("access_token").as_string());
  clock_.Advance(1000);
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/logout", "",
                 other_token).first,
            200);
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/logout", "",
                 other_token).second.at("errcode"),
            "M_UNKNOWN_TOKEN");
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/logout").second
                .at("errcode"),
            "M_MISSING_TOKEN");

  auto refreshed = Call(http::Method::kPost, "/_matrix/client/v3/refresh",
                        R"({"refresh_token":")" + refresh + R"("})");
  ASSERT_EQ(refreshed.first, 200);
  std::string access2(refreshed.second.at("access_token").as_string());
  auto again =
      Call(http::Method::kGet, "/_matrix/client/v3/account/whoami", "", access2);
  EXPECT_EQ(again.second.at("device_id"), body.at("device_id"));
  // The old refresh token is spent.
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/refresh",
                 R"({"refresh_token":")" + refresh + R"("})").first, 401);
}

TEST_F(AccountsTest, AdminFallbackStillWorks) {
  class Admin final : public http::Authenticator {
   public:
    absl::StatusOr<http::Principal> Authenticate(
        std::string_view token) const override {
      if (token != "admin") return UnknownToken("no");
      http::Principal principal;
      principal.admin = true;
      return principal;
    }
  } admin;
  UserAuthenticator authenticator(&accounts_->store(), &clock_, &admin);
  EXPECT_TRUE(authenticator.Authenticate("admin")->admin);
  EXPECT_EQ(ErrcodeOf(authenticator.Authenticate("nope").status()),
            "M_UNKNOWN_TOKEN");
}

TEST_F(AccountsTest, HooksSeeProfileChangesDeletedDevicesDeactivation) {
  std::vector<std::string> seen;
  accounts_->hooks().OnProfileChanged(
      [&](std::string_view user, const storage::Profile& profile) {
        seen.push_back(std::string(user) + " name=" +
                       profile.displayname.value_or("-"));
      });
  accounts_->hooks().OnDevicesDeleted(
      [&](std::string_view user, const std::vector<std::string>& ids) {
        seen.push_back(std::string(user) + " devices=" + ids.at(0));
      });
  accounts_->hooks().OnDeactivated([&](std::string_view user) {
    seen.push_back(std::string(user) + " deactivated");
  });
  auto [status, body] = Call(
      http::Method::kPost, "/_matrix/client/v3/register",
      R"({"username":"ivy","password":"pw","device_id":"D1",)"
      R"("auth":{"type":"m.login.dummy"}})");
  ASSERT_EQ(status, 200);
  std::string token(body.at("access_token").as_string());
  EXPECT_EQ(Call(http::Method::kPut,
                 "/_matrix/client/v3/profile/@ivy:example.org/displayname",
                 R"({"displayname":"Ivy"})", token).first,
            200);
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/login",
                 R"({"type":"m.login.password","user":"ivy","password":"pw",)"
                 R"("device_id":"D2"})").first,
            200);
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/delete_devices",
                 R"({"devices":["D2"],"auth":{"type":"m.login.password",)"
                 R"("user":"ivy","password":"pw"}})",
                 token).first,
            200);
  EXPECT_EQ(Call(http::Method::kPost, "/_matrix/client/v3/account/deactivate",
                 R"({"auth":{"type":"m.login.password",)"
                 R"("user":"ivy","password":"pw"}})",
                 token).first,
            200);
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "@ivy:example.org name=Ivy",
                      "@ivy:example.org devices=D2",
                      "@ivy:example.org deactivated"}));
}

TEST_F(AccountsTest, DevicesShowTheirLastUse) {
  ASSERT_TRUE(accounts_->CreateUser("jo", "pw", false, "").ok());
  auto login = Call(http::Method::kPost, "/_matrix/client/v3/login",
                    R"({"type":"m.login.password","user":"jo","password":"pw",)"
                    R"("device_id":"D"})");
  std::string token(login.second.at("access_token").as_string());
  int64_t login_ms = clock_.NowMillis();
  clock_.Advance(5000);
  Call(http::Method::kGet, "/_matrix/client/v3/account/whoami", "", token);
  auto device =
      Call(http::Method::kGet, "/_matrix/client/v3/devices/D", "", token);
  EXPECT_EQ(device.second.at("last_seen_ts").as_int64(), login_ms + 5000);
  EXPECT_EQ(device.second.at("last_seen_ip"), "127.0.0.1");
}

TEST_F(AccountsTest, CreateUserThenLogin) {
  ASSERT_TRUE(accounts_->CreateUser("bob", "pw", true, "").ok());
  EXPECT_EQ(ErrcodeOf(accounts_->CreateUser("bob", "pw", false, "").status()),
            "M_USER_IN_USE");
  auto login = Call(http::Method::kPost, "/_matrix/client/v3/login",
                    R"({"type":"m.login.password","user":"@bob:example.org",)"
                    R"("password":"pw","device_id":"DEV"})");
  EXPECT_EQ(login.first, 200);
  EXPECT_EQ(login.second.at("device_id"), "DEV");
  EXPECT_FALSE(login.second.contains("refresh_token"));
}

}  // namespace
}  // namespace myelin::client
