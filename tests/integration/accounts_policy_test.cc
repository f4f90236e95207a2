// Registration policy (disabled, tokens, shared secret), refresh tokens and
// soft logout, and rate limits, against the real binary.
#include <chrono>
#include <thread>

#include "server/client/account_crypto.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

constexpr char kAdminRegister[] = "/_synapse/admin/v1/register";

std::string SharedSecretBody(const std::string& nonce, const std::string& user,
                             const std::string& password, bool admin,
                             const std::string& mac) {
  return absl::StrCat(R"({"nonce":")", nonce, R"(","username":")", user,
                      R"(","password":")", password, R"(","admin":)",
                      admin ? "true" : "false", R"(,"mac":")", mac, R"("})");
}

TEST_F(AccountsTest, DisabledRegistrationStillAllowsSharedSecret) {
  Start("registration_shared_secret: s3cret\n");
  Reply refused = Call("POST", absl::StrCat(kV3, "/register"),
                       R"({"username":"ann","password":"pw"})");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/register/available?username=x"))
                .Errcode(),
            "M_FORBIDDEN");
  EXPECT_EQ(Call("GET", "/_matrix/client/v1/register/"
                        "m.login.registration_token/validity?token=x")
                .status,
            403);

  Reply nonce = Call("GET", kAdminRegister);
  ASSERT_EQ(nonce.status, 200);
  std::string mac = client::SharedSecretMac("s3cret", nonce.Str("nonce"), "ann",
                                            "pw", true, "");
  Reply ann = Call("POST", kAdminRegister,
                   SharedSecretBody(nonce.Str("nonce"), "ann", "pw", true, mac));
  ASSERT_EQ(ann.status, 200) << boost::json::serialize(ann.body);
  EXPECT_EQ(ann.Str("user_id"), "@ann:test.example");
  EXPECT_EQ(WhoAmI(ann.Str("access_token")).status, 200);
  EXPECT_EQ(Login("ann", "pw").status, 200);

  // A nonce is single-use.
  Reply reused = Call("POST", kAdminRegister,
                      SharedSecretBody(nonce.Str("nonce"), "ann2", "pw", true,
                                       mac));
  EXPECT_EQ(reused.status, 400);

  Reply fresh = Call("GET", kAdminRegister);
  Reply bad_mac = Call("POST", kAdminRegister,
                       SharedSecretBody(fresh.Str("nonce"), "bo", "pw", false,
                                        std::string(40, '0')));
  EXPECT_EQ(bad_mac.status, 403);
  EXPECT_EQ(bad_mac.Errcode(), "M_FORBIDDEN");
  // The MAC covers the admin flag.
  fresh = Call("GET", kAdminRegister);
  mac = client::SharedSecretMac("s3cret", fresh.Str("nonce"), "bo", "pw",
                                false, "");
  EXPECT_EQ(Call("POST", kAdminRegister,
                 SharedSecretBody(fresh.Str("nonce"), "bo", "pw", true, mac))
                .status,
            403);
  fresh = Call("GET", kAdminRegister);
  mac = client::SharedSecretMac("s3cret", fresh.Str("nonce"), "ann", "pw",
                                false, "");
  EXPECT_EQ(Call("POST", kAdminRegister,
                 SharedSecretBody(fresh.Str("nonce"), "ann", "pw", false, mac))
                .Errcode(),
            "M_USER_IN_USE");
}

TEST_F(AccountsTest, SharedSecretDisabledWithoutSecret) {
  Start("enable_registration: true\n");
  EXPECT_EQ(Call("GET", kAdminRegister).status, 400);
}

TEST_F(AccountsTest, RegistrationTokens) {
  Start(R"(enable_registration: true
rate_limiting: {enabled: false}
registration_tokens:
  - token: once
    uses_allowed: 1
  - token: expired
    expiry_time_ms: 1
)");
  const std::string validity =
      "/_matrix/client/v1/register/m.login.registration_token/validity";
  EXPECT_EQ(Call("GET", validity + "?token=once").body.at("valid"), true);
  EXPECT_EQ(Call("GET", validity + "?token=expired").body.at("valid"), false);
  EXPECT_EQ(Call("GET", validity + "?token=other").body.at("valid"), false);
  EXPECT_EQ(Call("GET", validity).Errcode(), "M_MISSING_PARAM");

  Reply challenge = Call("POST", absl::StrCat(kV3, "/register"),
                         R"({"username":"tom","password":"pw"})");
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(boost::json::serialize(challenge.body.at("flows")),
            R"([{"stages":["m.login.registration_token"]}])");
  auto attempt = [&](const std::string& user, const std::string& token,
                     const std::string& session) {
    return Call("POST", absl::StrCat(kV3, "/register"),
                absl::StrCat(R"({"username":")", user,
                             R"(","password":"pw","auth":{"type":)"
                             R"("m.login.registration_token","token":")",
                             token, R"(","session":")", session, R"("}})"));
  };
  Reply wrong = attempt("tom", "expired", challenge.Str("session"));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Errcode(), "M_UNAUTHORIZED");
  Reply dummy = Call("POST", absl::StrCat(kV3, "/register"),
                     R"({"username":"tom","password":"pw",)"
                     R"("auth":{"type":"m.login.dummy"}})");
  EXPECT_EQ(dummy.status, 401);  // not offered
  Reply tom = attempt("tom", "once", challenge.Str("session"));
  ASSERT_EQ(tom.status, 200) << boost::json::serialize(tom.body);
  EXPECT_EQ(Call("GET", validity + "?token=once").body.at("valid"), false);
  Reply again = Call("POST", absl::StrCat(kV3, "/register"), "{}");
  EXPECT_EQ(attempt("tim", "once", again.Str("session")).status, 401);
}

TEST_F(AccountsTest, RefreshTokensAndSoftLogout) {
  Start(R"(enable_registration: true
rate_limiting: {enabled: false}
refresh_tokens: true
access_token_lifetime_ms: 1500
)");
  Reply una = Register("una", "pw", R"("refresh_token":true,)");
  ASSERT_EQ(una.status, 200);
  EXPECT_EQ(una.body.at("expires_in_ms"), 1500);
  ASSERT_FALSE(una.Str("refresh_token").empty());
  Reply plain = Login("una", "pw");  // did not ask: a non-expiring token
  EXPECT_FALSE(plain.body.contains("refresh_token"));
  EXPECT_EQ(WhoAmI(una.Str("access_token")).status, 200);

  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  Reply expired = WhoAmI(una.Str("access_token"));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(expired.body.at("soft_logout"), true);
  EXPECT_EQ(WhoAmI(plain.Str("access_token")).status, 200);

  Reply refreshed =
      Call("POST", absl::StrCat(kV3, "/refresh"),
           absl::StrCat(R"({"refresh_token":")", una.Str("refresh_token"),
                        R"("})"));
  ASSERT_EQ(refreshed.status, 200);
  // Until the new tokens are used, the old refresh token may be exchanged
  // again (a client that lost the response); that retires the lost pair.
  Reply retried =
      Call("POST", absl::StrCat(kV3, "/refresh"),
           absl::StrCat(R"({"refresh_token":")", una.Str("refresh_token"),
                        R"("})"));
  ASSERT_EQ(retried.status, 200);
  EXPECT_EQ(WhoAmI(refreshed.Str("access_token")).status, 401);
  refreshed = retried;
  Reply who = WhoAmI(refreshed.Str("access_token"));
  EXPECT_EQ(who.status, 200);
  EXPECT_EQ(who.Str("device_id"), una.Str("device_id"));
  Reply spent =
      Call("POST", absl::StrCat(kV3, "/refresh"),
           absl::StrCat(R"({"refresh_token":")", una.Str("refresh_token"),
                        R"("})"));
  EXPECT_EQ(spent.status, 401);
  EXPECT_EQ(spent.Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/refresh"), "{}").Errcode(),
            "M_MISSING_PARAM");
}

TEST_F(AccountsTest, LoginAndRegistrationAreRateLimited) {
  Start(R"(enable_registration: true
rate_limiting:
  enabled: true
  login: {per_second: 0.01, burst: 2}
  registration: {per_second: 0.01, burst: 3}
)");
  EXPECT_EQ(Login("nobody", "x").status, 403);
  EXPECT_EQ(Login("nobody", "x").status, 403);
  Reply limited = Login("nobody", "x");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Errcode(), "M_LIMIT_EXCEEDED");
  EXPECT_GT(limited.body.at("retry_after_ms").as_int64(), 0);
  EXPECT_FALSE(limited.headers["retry-after"].empty());

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/register"), "{}").status, 401);
  }
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/register"), "{}").status, 429);
  // Username checks have their own, looser bucket.
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/register/available?username=q"))
                .status,
            200);
  // Routes that did not opt in are not limited.
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/login")).status, 200);
}

TEST_F(AccountsTest, BehindAProxyLimitsPerForwardedAddress) {
  dir_ = NewTempDir("proxy");
  auto server = ServerProcess::Start(dir_, R"(server_name: test.example
listeners:
  - bind_addresses: ["127.0.0.1"]
    port: 0
    x_forwarded: true
    resources: [client]
data_dir: ./data
sync_writes: false
memory_budget_mb: 32
rate_limiting:
  login: {per_second: 0.01, burst: 1}
)");
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = std::move(server).value();
  client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  auto login_from = [&](const std::string& forwarded) {
    auto result = client_->Send(
        "POST", absl::StrCat(kV3, "/login"),
        R"({"type":"m.login.password","user":"x","password":"y"})",
        {{"X-Forwarded-For", forwarded}});
    return result.ok() ? result->status : -1;
  };
  EXPECT_EQ(login_from("203.0.113.1"), 403);
  EXPECT_EQ(login_from("203.0.113.2"), 403);  // another client: own bucket
  EXPECT_EQ(login_from("203.0.113.1"), 429);
  // A client cannot pick its bucket: only the proxy's (last) entry counts.
  EXPECT_EQ(login_from("198.51.100.7, 203.0.113.2"), 429);
}

}  // namespace
}  // namespace myelin::testing
