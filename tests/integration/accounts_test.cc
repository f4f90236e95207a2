// Accounts, devices, profiles and rate limits against the real binary:
// every endpoint's success and its main error paths.
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

TEST_F(AccountsTest, RegisterWithDummyFlow) {
  Start();
  Reply challenge = Call("POST", absl::StrCat(kV3, "/register"),
                         R"({"username":"alice","password":"pw"})");
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(challenge.Errcode(), "");
  EXPECT_EQ(boost::json::serialize(challenge.body.at("flows")),
            R"([{"stages":["m.login.dummy"]}])");
  EXPECT_FALSE(challenge.Str("session").empty());

  Reply alice = Register("alice", "pw");
  ASSERT_EQ(alice.status, 200) << boost::json::serialize(alice.body);
  EXPECT_EQ(alice.Str("user_id"), "@alice:test.example");
  EXPECT_FALSE(alice.Str("device_id").empty());
  Reply who = WhoAmI(alice.Str("access_token"));
  EXPECT_EQ(who.status, 200);
  EXPECT_EQ(who.Str("user_id"), "@alice:test.example");
  EXPECT_EQ(who.Str("device_id"), alice.Str("device_id"));
  // matrix-nio sends the token as a query parameter.
  Reply query = Call("GET", absl::StrCat(kV3, "/account/whoami?access_token=",
                                         alice.Str("access_token")));
  EXPECT_EQ(query.status, 200);
  // Legacy r0 prefix.
  EXPECT_EQ(Call("GET", "/_matrix/client/r0/account/whoami", "",
                 alice.Str("access_token")).status, 200);

  EXPECT_EQ(Register("alice", "pw").Errcode(), "M_USER_IN_USE");
  Reply taken = Call("POST", absl::StrCat(kV3, "/register"),
                     R"({"username":"alice","password":"pw"})");
  EXPECT_EQ(taken.status, 400);
  EXPECT_EQ(taken.Errcode(), "M_USER_IN_USE");
  EXPECT_EQ(Register("al ice", "pw").Errcode(), "M_INVALID_USERNAME");
  EXPECT_EQ(Register("bad:name", "pw").Errcode(), "M_INVALID_USERNAME");
  Reply guest = Call("POST", absl::StrCat(kV3, "/register?kind=guest"), "{}");
  EXPECT_EQ(guest.status, 403);
  EXPECT_EQ(guest.Errcode(), "M_FORBIDDEN");
  Reply bad_session =
      Call("POST", absl::StrCat(kV3, "/register"),
           R"({"username":"x","password":"p","auth":{"type":"m.login.dummy",)"
           R"("session":"nope"}})");
  EXPECT_EQ(bad_session.status, 400);
  Reply no_password = Register("nopass", "");
  EXPECT_EQ(no_password.status, 200);  // an empty password is a password
}

TEST_F(AccountsTest, AvailabilityAndInhibitLogin) {
  Start();
  Reply free = Call("GET", absl::StrCat(kV3, "/register/available?username=bob"));
  EXPECT_EQ(free.status, 200);
  EXPECT_EQ(free.body.at("available"), true);
  Reply bob = Register("bob", "pw", R"("inhibit_login":true,)");
  ASSERT_EQ(bob.status, 200);
  EXPECT_EQ(bob.Str("user_id"), "@bob:test.example");
  EXPECT_FALSE(bob.body.contains("access_token"));
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/register/available?username=bob"))
                .Errcode(),
            "M_USER_IN_USE");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/register/available?username=B%20"))
                .Errcode(),
            "M_INVALID_USERNAME");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/register/available")).Errcode(),
            "M_MISSING_PARAM");
  // Generated user ids when no username is given.
  Reply anonymous = Call("POST", absl::StrCat(kV3, "/register"),
                         R"({"password":"pw","auth":{"type":"m.login.dummy"}})");
  EXPECT_EQ(anonymous.status, 200);
  EXPECT_EQ(anonymous.Str("user_id").rfind("@", 0), 0u);
}

TEST_F(AccountsTest, LoginLogoutAndTokensSurviveRestart) {
  Start();
  ASSERT_EQ(Register("carol", "secret").status, 200);
  Reply flows = Call("GET", absl::StrCat(kV3, "/login"));
  EXPECT_EQ(boost::json::serialize(flows.body.at("flows")),
            R"([{"type":"m.login.password"}])");

  Reply wrong = Login("carol", "nope");
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Login("nobody", "x").Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/login"),
                 R"({"type":"m.login.token","token":"x"})")
                .status,
            400);

  Reply by_id = Login("@carol:test.example", "secret",
                      R"("device_id":"PHONE","initial_device_display_name":"p",)");
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(by_id.Str("device_id"), "PHONE");
  // The legacy top-level "user" field.
  Reply legacy = Call("POST", absl::StrCat(kV3, "/login"),
                      R"({"type":"m.login.password","user":"carol",)"
                      R"("password":"secret"})");
  ASSERT_EQ(legacy.status, 200);

  Restart();
  EXPECT_EQ(WhoAmI(by_id.Str("access_token")).status, 200);

  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/logout"), "{}",
                 by_id.Str("access_token")).status,
            200);
  Reply gone = WhoAmI(by_id.Str("access_token"));
  EXPECT_EQ(gone.status, 401);
  EXPECT_EQ(gone.Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(WhoAmI(legacy.Str("access_token")).status, 200);

  Reply other = Login("carol", "secret");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/logout/all"), "{}",
                 other.Str("access_token")).status,
            200);
  EXPECT_EQ(WhoAmI(legacy.Str("access_token")).Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(WhoAmI(other.Str("access_token")).Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(WhoAmI("").Errcode(), "M_MISSING_TOKEN");
}

TEST_F(AccountsTest, PasswordChangeNeedsPasswordUia) {
  Start();
  Reply dave = Register("dave", "old");
  Reply laptop = Login("dave", "old");
  const std::string token = dave.Str("access_token");
  Reply challenge = Call("POST", absl::StrCat(kV3, "/account/password"),
                         R"({"new_password":"new"})", token);
  EXPECT_EQ(challenge.status, 401);
  EXPECT_EQ(boost::json::serialize(challenge.body.at("flows")),
            R"([{"stages":["m.login.password"]}])");
  Reply wrong = Call(
      "POST", absl::StrCat(kV3, "/account/password"),
      absl::StrCat(R"({"new_password":"new","auth":{"type":"m.login.password",)"
                   R"("identifier":{"type":"m.id.user","user":"dave"},)"
                   R"("password":"bad","session":")",
                   challenge.Str("session"), R"("}})"),
      token);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(wrong.Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(wrong.Str("session"), challenge.Str("session"));
  Reply done = Call(
      "POST", absl::StrCat(kV3, "/account/password"),
      absl::StrCat(R"({"new_password":"new","auth":{"type":"m.login.password",)"
                   R"("identifier":{"type":"m.id.user","user":"dave"},)"
                   R"("password":"old","session":")",
                   challenge.Str("session"), R"("}})"),
      token);
  EXPECT_EQ(done.status, 200);
  EXPECT_EQ(WhoAmI(token).status, 200);  // the caller's device stays
  EXPECT_EQ(WhoAmI(laptop.Str("access_token")).Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(Login("dave", "old").status, 403);
  EXPECT_EQ(Login("dave", "new").status, 200);
}

TEST_F(AccountsTest, DeactivateNeedsUiaAndFreezesTheId) {
  Start();
  Reply erin = Register("erin", "pw");
  const std::string token = erin.Str("access_token");
  Reply challenge = Call("POST", absl::StrCat(kV3, "/account/deactivate"),
                         "{}", token);
  EXPECT_EQ(challenge.status, 401);
  Reply done = Call("POST", absl::StrCat(kV3, "/account/deactivate"),
                    R"({"auth":{"type":"m.login.password","user":"erin",)"
                    R"("password":"pw"}})",
                    token);
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.Str("id_server_unbind_result"), "no-support");
  EXPECT_EQ(WhoAmI(token).Errcode(), "M_UNKNOWN_TOKEN");
  Reply login = Login("erin", "pw");
  EXPECT_EQ(login.status, 403);
  EXPECT_EQ(login.Errcode(), "M_USER_DEACTIVATED");
  EXPECT_EQ(Register("erin", "pw").Errcode(), "M_USER_IN_USE");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/profile/@erin:test.example"))
                .status,
            404);
}

TEST_F(AccountsTest, Devices) {
  Start();
  Reply frank = Register("frank", "pw", R"("initial_device_display_name":"web",)");
  const std::string token = frank.Str("access_token");
  Reply phone = Login("frank", "pw", R"("device_id":"PHONE",)");
  Reply list = Call("GET", absl::StrCat(kV3, "/devices"), "", token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.at("devices").as_array().size(), 2u);
  Reply web = Call("GET", absl::StrCat(kV3, "/devices/", frank.Str("device_id")),
                   "", token);
  EXPECT_EQ(web.Str("display_name"), "web");
  EXPECT_EQ(web.Str("last_seen_ip"), "127.0.0.1");
  EXPECT_TRUE(web.body.at("last_seen_ts").is_int64());
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/devices/NOPE"), "", token).status,
            404);
  EXPECT_EQ(Call("PUT", absl::StrCat(kV3, "/devices/PHONE"),
                 R"({"display_name":"my phone"})", token).status,
            200);
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/devices/PHONE"), "", token)
                .Str("display_name"),
            "my phone");
  EXPECT_EQ(Call("PUT", absl::StrCat(kV3, "/devices/NOPE"),
                 R"({"display_name":"x"})", token).status,
            404);

  Reply challenge =
      Call("DELETE", absl::StrCat(kV3, "/devices/PHONE"), "{}", token);
  EXPECT_EQ(challenge.status, 401);
  EXPECT_TRUE(challenge.body.contains("flows"));
  EXPECT_EQ(Call("DELETE", absl::StrCat(kV3, "/devices/PHONE"),
                 absl::StrCat(R"({"auth":{"type":"m.login.password",)"
                              R"("user":"frank","password":"pw",)"
                              R"("session":")",
                              challenge.Str("session"), R"("}})"),
                 token).status,
            200);
  EXPECT_EQ(WhoAmI(phone.Str("access_token")).Errcode(), "M_UNKNOWN_TOKEN");

  Reply tablet = Login("frank", "pw", R"("device_id":"TABLET",)");
  Reply bulk = Call("POST", absl::StrCat(kV3, "/delete_devices"),
                    R"({"devices":["TABLET"]})", token);
  EXPECT_EQ(bulk.status, 401);
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/delete_devices"),
                 R"({"devices":["TABLET"],"auth":{"type":"m.login.password",)"
                 R"("user":"frank","password":"pw"}})",
                 token).status,
            200);
  EXPECT_EQ(WhoAmI(tablet.Str("access_token")).Errcode(), "M_UNKNOWN_TOKEN");
  EXPECT_EQ(Call("POST", absl::StrCat(kV3, "/delete_devices"), "{}", token)
                .Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/devices"), "", token)
                .body.at("devices").as_array().size(),
            1u);
}

TEST_F(AccountsTest, Profiles) {
  Start();
  Reply gina = Register("gina", "pw");
  Reply hal = Register("hal", "pw");
  const std::string token = gina.Str("access_token");
  const std::string base = absl::StrCat(kV3, "/profile/@gina:test.example");
  EXPECT_EQ(Call("GET", base).Str("displayname"), "gina");
  EXPECT_EQ(Call("PUT", base + "/displayname", R"({"displayname":"Gina G"})",
                 token).status,
            200);
  EXPECT_EQ(Call("GET", base + "/displayname").Str("displayname"), "Gina G");
  EXPECT_EQ(Call("GET", base + "/avatar_url").status, 404);
  EXPECT_EQ(Call("PUT", base + "/avatar_url",
                 R"({"avatar_url":"mxc://test.example/abc"})", token).status,
            200);
  Reply profile = Call("GET", base);
  EXPECT_EQ(profile.Str("displayname"), "Gina G");
  EXPECT_EQ(profile.Str("avatar_url"), "mxc://test.example/abc");
  // Percent-encoded user id in the path.
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/profile/%40gina%3Atest.example"))
                .Str("avatar_url"),
            "mxc://test.example/abc");

  Reply other = Call("PUT", base + "/displayname", R"({"displayname":"x"})",
                     hal.Str("access_token"));
  EXPECT_EQ(other.status, 403);
  EXPECT_EQ(other.Errcode(), "M_FORBIDDEN");
  EXPECT_EQ(Call("PUT", base + "/displayname", R"({"displayname":5})", token)
                .Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", base + "/displayname", "{}", token).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("PUT", base + "/displayname", R"({"displayname":"x"})")
                .Errcode(),
            "M_MISSING_TOKEN");
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/profile/@nobody:test.example"))
                .status,
            404);
  EXPECT_EQ(Call("GET", absl::StrCat(kV3, "/profile/@gina:elsewhere.org"))
                .status,
            404);
}

}  // namespace
}  // namespace myelin::testing
