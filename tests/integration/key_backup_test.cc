// Server-side key backups (/room_keys/...) over the Client-Server API, real
// binary. Spec: client-server-api, "Server-side key backups".
#include "absl/strings/str_cat.h"
#include "tests/integration/accounts_fixture.h"

namespace myelin::testing {
namespace {

constexpr char kAlg[] = "m.megolm_backup.v1.curve25519-aes-sha2";
constexpr char kVersion[] = "/_matrix/client/v3/room_keys/version";
constexpr char kKeys[] = "/_matrix/client/v3/room_keys/keys";
constexpr char kRoom[] = "!room:test.example";

std::string VersionBody(const std::string& public_key) {
  return absl::StrCat(R"({"algorithm":")", kAlg,
                      R"(","auth_data":{"public_key":")", public_key,
                      R"(","signatures":{}}})");
}

std::string KeyData(bool verified, int index, int forwarded,
                    const std::string& ciphertext = "c") {
  return absl::StrCat(R"({"first_message_index":)", index,
                      R"(,"forwarded_count":)", forwarded,
                      R"(,"is_verified":)", verified ? "true" : "false",
                      R"(,"session_data":{"ephemeral":"e","ciphertext":")",
                      ciphertext, R"(","mac":"m"}})");
}

class KeyBackupTest : public AccountsTest {
 protected:
  void SetUp() override {
    Start();
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
  }

  std::string Create(const std::string& token, const std::string& key = "pk") {
    Reply reply = Call("POST", kVersion, VersionBody(key), token);
    EXPECT_EQ(reply.status, 200) << boost::json::serialize(reply.body);
    return reply.Str("version");
  }

  static std::string Q(const std::string& version) {
    return "?version=" + version;
  }
  static std::string SessionPath(const std::string& session) {
    return absl::StrCat(kKeys, "/", kRoom, "/", session);
  }

  std::string alice_, bob_;
};

TEST_F(KeyBackupTest, CreateReadUpdateAndDeleteVersions) {
  Reply none = Call("GET", kVersion, "", alice_);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.Errcode(), "M_NOT_FOUND");

  std::string v1 = Create(alice_, "pk1");
  ASSERT_FALSE(v1.empty());
  Reply current = Call("GET", kVersion, "", alice_);
  ASSERT_EQ(current.status, 200);
  EXPECT_EQ(current.Str("version"), v1);
  EXPECT_EQ(current.Str("algorithm"), kAlg);
  EXPECT_EQ(current.body["auth_data"].at("public_key").as_string(), "pk1");
  EXPECT_EQ(current.body["count"].as_int64(), 0);
  EXPECT_TRUE(current.body["etag"].is_string());

  std::string v2 = Create(alice_, "pk2");
  EXPECT_NE(v2, v1);
  EXPECT_EQ(Call("GET", kVersion, "", alice_).Str("version"), v2);
  Reply old = Call("GET", absl::StrCat(kVersion, "/", v1), "", alice_);
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(old.body["auth_data"].at("public_key").as_string(), "pk1");

  // Only auth_data changes; the body's version, if any, must match.
  ASSERT_EQ(Call("PUT", absl::StrCat(kVersion, "/", v2),
                 absl::StrCat(R"({"algorithm":")", kAlg,
                              R"(","auth_data":{"public_key":"new"},"version":")",
                              v2, R"("})"),
                 alice_).status,
            200);
  EXPECT_EQ(Call("GET", absl::StrCat(kVersion, "/", v2), "", alice_)
                .body["auth_data"].at("public_key").as_string(),
            "new");
  ASSERT_EQ(Call("PUT", absl::StrCat(kVersion, "/", v2), VersionBody("newer"), alice_)
                .status,
            200);

  // Deleting the current version makes the previous one current; deleting
  // again succeeds.
  EXPECT_EQ(Call("DELETE", absl::StrCat(kVersion, "/", v2), "", alice_).status, 200);
  EXPECT_EQ(Call("DELETE", absl::StrCat(kVersion, "/", v2), "", alice_).status, 200);
  EXPECT_EQ(Call("GET", absl::StrCat(kVersion, "/", v2), "", alice_).Errcode(),
            "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", kVersion, "", alice_).Str("version"), v1);
  // Numbers are never reused.
  std::string v3 = Create(alice_);
  EXPECT_NE(v3, v2);
  EXPECT_NE(v3, v1);

  // The legacy r0 prefix serves the same routes.
  EXPECT_EQ(Call("GET", "/_matrix/client/r0/room_keys/version", "", alice_)
                .Str("version"),
            v3);
}

TEST_F(KeyBackupTest, VersionErrors) {
  std::string v = Create(alice_);
  std::string path = absl::StrCat(kVersion, "/", v);
  EXPECT_EQ(Call("POST", kVersion, R"({"auth_data":{}})", alice_).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("POST", kVersion, absl::StrCat(R"({"algorithm":")", kAlg, R"("})"),
                 alice_).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("POST", kVersion, R"({"algorithm":1,"auth_data":{}})", alice_)
                .Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("POST", kVersion,
                 absl::StrCat(R"({"algorithm":")", kAlg, R"(","auth_data":"x"})"),
                 alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("POST", kVersion, "[]", alice_).Errcode(), "M_NOT_JSON");
  EXPECT_EQ(Call("POST", kVersion, VersionBody("x")).Errcode(), "M_MISSING_TOKEN");

  Reply wrong_alg = Call("PUT", path, R"({"algorithm":"other","auth_data":{}})", alice_);
  EXPECT_EQ(wrong_alg.status, 400);
  EXPECT_EQ(wrong_alg.Errcode(), "M_INVALID_PARAM");
  Reply wrong_version =
      Call("PUT", path,
           absl::StrCat(R"({"algorithm":")", kAlg,
                        R"(","auth_data":{},"version":"999"})"),
           alice_);
  EXPECT_EQ(wrong_version.status, 400);
  EXPECT_EQ(wrong_version.Errcode(), "M_INVALID_PARAM");

  // Versions are written as we hand them out: "01" names none.
  for (const char* unknown : {"999", "abc", "01"}) {
    std::string p = absl::StrCat(kVersion, "/", unknown);
    EXPECT_EQ(Call("GET", p, "", alice_).status, 404) << unknown;
    EXPECT_EQ(Call("PUT", p, VersionBody("x"), alice_).Errcode(), "M_NOT_FOUND")
        << unknown;
    EXPECT_EQ(Call("DELETE", p, "", alice_).Errcode(), "M_NOT_FOUND") << unknown;
  }
  // Backups are per user: Bob sees none of Alice's.
  EXPECT_EQ(Call("GET", kVersion, "", bob_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", path, "", bob_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("DELETE", path, "", bob_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", path, "", alice_).status, 200);
}

TEST_F(KeyBackupTest, UploadReadAndDeleteKeysAtEveryLevel) {
  std::string v = Create(alice_);
  // One session.
  Reply one = Call("PUT", SessionPath("s1") + Q(v), KeyData(false, 3, 0), alice_);
  ASSERT_EQ(one.status, 200) << boost::json::serialize(one.body);
  EXPECT_EQ(one.body["count"].as_int64(), 1);
  std::string etag1 = one.Str("etag");
  EXPECT_FALSE(etag1.empty());
  // One room.
  Reply room = Call("PUT", absl::StrCat(kKeys, "/", kRoom, Q(v)),
                    absl::StrCat(R"({"sessions":{"s2":)", KeyData(true, 0, 0), "}}"),
                    alice_);
  ASSERT_EQ(room.status, 200);
  EXPECT_EQ(room.body["count"].as_int64(), 2);
  EXPECT_NE(room.Str("etag"), etag1);
  // Several rooms.
  Reply all = Call(
      "PUT", absl::StrCat(kKeys, Q(v)),
      absl::StrCat(R"({"rooms":{"!other:test.example":{"sessions":{"s1":)",
                   KeyData(false, 0, 0), R"(,"s9":)", KeyData(false, 0, 0),
                   R"(}},")", kRoom, R"(":{"sessions":{"s3":)", KeyData(false, 0, 0),
                   "}}}}"),
      alice_);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.body["count"].as_int64(), 5);

  // The version reports what PUT said.
  Reply info = Call("GET", kVersion, "", alice_);
  EXPECT_EQ(info.body["count"].as_int64(), 5);
  EXPECT_EQ(info.Str("etag"), all.Str("etag"));

  // Reads.
  Reply session = Call("GET", SessionPath("s1") + Q(v), "", alice_);
  ASSERT_EQ(session.status, 200);
  EXPECT_EQ(session.body["first_message_index"].as_int64(), 3);
  EXPECT_EQ(session.body["forwarded_count"].as_int64(), 0);
  EXPECT_FALSE(session.body["is_verified"].as_bool());
  EXPECT_EQ(session.body["session_data"].at("ciphertext").as_string(), "c");
  Reply room_keys = Call("GET", absl::StrCat(kKeys, "/", kRoom, Q(v)), "", alice_);
  ASSERT_EQ(room_keys.status, 200);
  EXPECT_EQ(room_keys.body["sessions"].as_object().size(), 3u);
  EXPECT_TRUE(room_keys.body["sessions"].as_object().at("s2").at("is_verified").as_bool());
  Reply everything = Call("GET", absl::StrCat(kKeys, Q(v)), "", alice_);
  ASSERT_EQ(everything.status, 200);
  EXPECT_EQ(everything.body["rooms"].as_object().size(), 2u);
  EXPECT_EQ(everything.body["rooms"]
                .at("!other:test.example").at("sessions").as_object().size(),
            2u);
  // Missing things: a room is empty, a session is 404.
  Reply empty_room =
      Call("GET", absl::StrCat(kKeys, "/!nothing:test.example", Q(v)), "", alice_);
  EXPECT_EQ(empty_room.status, 200);
  EXPECT_TRUE(empty_room.body["sessions"].as_object().empty());
  Reply no_session = Call("GET", SessionPath("nope") + Q(v), "", alice_);
  EXPECT_EQ(no_session.status, 404);
  EXPECT_EQ(no_session.Errcode(), "M_NOT_FOUND");

  // Deletes at each level answer {etag, count}.
  Reply del_one = Call("DELETE", SessionPath("s1") + Q(v), "", alice_);
  ASSERT_EQ(del_one.status, 200);
  EXPECT_EQ(del_one.body["count"].as_int64(), 4);
  EXPECT_NE(del_one.Str("etag"), all.Str("etag"));
  Reply del_room = Call("DELETE", absl::StrCat(kKeys, "/", kRoom, Q(v)), "", alice_);
  EXPECT_EQ(del_room.body["count"].as_int64(), 2);
  EXPECT_EQ(Call("GET", absl::StrCat(kKeys, "/", kRoom, Q(v)), "", alice_)
                .body["sessions"].as_object().size(),
            0u);
  Reply del_all = Call("DELETE", absl::StrCat(kKeys, Q(v)), "", alice_);
  EXPECT_EQ(del_all.body["count"].as_int64(), 0);
  Reply nothing = Call("GET", absl::StrCat(kKeys, Q(v)), "", alice_);
  EXPECT_EQ(nothing.status, 200);
  EXPECT_TRUE(nothing.body["rooms"].as_object().empty());
  EXPECT_EQ(Call("GET", kVersion, "", alice_).body["count"].as_int64(), 0);
}

TEST_F(KeyBackupTest, TheBetterKeyIsKept) {
  std::string v = Create(alice_);
  std::string path = SessionPath("s") + Q(v);
  ASSERT_EQ(Call("PUT", path, KeyData(false, 5, 1, "first"), alice_).status, 200);
  // Worse keys leave the stored one, and the etag, alone.
  std::string etag = Call("GET", kVersion, "", alice_).Str("etag");
  Reply worse = Call("PUT", path, KeyData(false, 6, 0, "higher-index"), alice_);
  EXPECT_EQ(worse.Str("etag"), etag);
  EXPECT_EQ(worse.body["count"].as_int64(), 1);
  Call("PUT", path, KeyData(false, 5, 2, "more-forwards"), alice_);
  EXPECT_EQ(Call("GET", path, "", alice_).body["session_data"].at("ciphertext").as_string(),
            "first");
  // Better ones replace it, one rule at a time.
  Call("PUT", path, KeyData(false, 5, 0, "fewer-forwards"), alice_);
  EXPECT_EQ(Call("GET", path, "", alice_).body["session_data"].at("ciphertext").as_string(),
            "fewer-forwards");
  Call("PUT", path, KeyData(false, 2, 9, "lower-index"), alice_);
  EXPECT_EQ(Call("GET", path, "", alice_).body["session_data"].at("ciphertext").as_string(),
            "lower-index");
  Reply verified = Call("PUT", path, KeyData(true, 50, 50, "verified"), alice_);
  EXPECT_NE(verified.Str("etag"), etag);
  EXPECT_EQ(Call("GET", path, "", alice_).body["session_data"].at("ciphertext").as_string(),
            "verified");
  Call("PUT", path, KeyData(false, 0, 0, "unverified"), alice_);
  EXPECT_EQ(Call("GET", path, "", alice_).body["session_data"].at("ciphertext").as_string(),
            "verified");
  EXPECT_EQ(Call("GET", kVersion, "", alice_).body["count"].as_int64(), 1);
}

TEST_F(KeyBackupTest, UploadsNeedTheCurrentVersion) {
  std::string body = absl::StrCat(R"({"sessions":{"s":)", KeyData(false, 0, 0), "}}");
  std::string room = absl::StrCat(kKeys, "/", kRoom);
  // No backup at all.
  EXPECT_EQ(Call("PUT", room + Q("1"), body, alice_).Errcode(), "M_NOT_FOUND");
  std::string old = Create(alice_);
  std::string current = Create(alice_);
  for (const std::string& version : {old, std::string("999"), std::string("x")}) {
    Reply wrong = Call("PUT", room + Q(version), body, alice_);
    EXPECT_EQ(wrong.status, 403) << version;
    EXPECT_EQ(wrong.Errcode(), "M_WRONG_ROOM_KEYS_VERSION") << version;
    EXPECT_EQ(wrong.Str("current_version"), current) << version;
  }
  EXPECT_EQ(Call("PUT", SessionPath("s") + Q(old), KeyData(false, 0, 0), alice_).status,
            403);
  EXPECT_EQ(Call("PUT", absl::StrCat(kKeys, Q(old)),
                 absl::StrCat(R"({"rooms":{")", kRoom, R"(":)", body, "}}"), alice_)
                .Errcode(),
            "M_WRONG_ROOM_KEYS_VERSION");
  EXPECT_EQ(Call("PUT", room + Q(current), body, alice_).status, 200);
  // Reads and deletes of an old (live) version work; unknown ones are 404.
  EXPECT_EQ(Call("GET", room + Q(old), "", alice_).status, 200);
  EXPECT_EQ(Call("DELETE", room + Q(old), "", alice_).status, 200);
  for (const char* unknown : {"999", "x"}) {
    EXPECT_EQ(Call("GET", absl::StrCat(kKeys, Q(unknown)), "", alice_).Errcode(),
              "M_NOT_FOUND");
    EXPECT_EQ(Call("GET", room + Q(unknown), "", alice_).Errcode(), "M_NOT_FOUND");
    EXPECT_EQ(Call("DELETE", room + Q(unknown), "", alice_).Errcode(), "M_NOT_FOUND");
  }
  // Bob's backup is his own: Alice's current version is not his.
  EXPECT_EQ(Call("PUT", room + Q(current), body, bob_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", room + Q(current), "", bob_).Errcode(), "M_NOT_FOUND");
}

TEST_F(KeyBackupTest, DeletingAVersionDeletesItsKeys) {
  std::string v1 = Create(alice_);
  ASSERT_EQ(Call("PUT", SessionPath("a") + Q(v1), KeyData(false, 0, 0), alice_).status,
            200);
  std::string v2 = Create(alice_);
  ASSERT_EQ(Call("PUT", SessionPath("b") + Q(v2), KeyData(false, 0, 0), alice_).status,
            200);
  ASSERT_EQ(Call("DELETE", absl::StrCat(kVersion, "/", v2), "", alice_).status, 200);
  EXPECT_EQ(Call("GET", SessionPath("b") + Q(v2), "", alice_).Errcode(), "M_NOT_FOUND");
  EXPECT_EQ(Call("GET", absl::StrCat(kKeys, Q(v2)), "", alice_).Errcode(), "M_NOT_FOUND");
  // v1 is current again, with its key.
  EXPECT_EQ(Call("GET", SessionPath("a") + Q(v1), "", alice_).status, 200);
  Reply put = Call("PUT", SessionPath("c") + Q(v1), KeyData(false, 0, 0), alice_);
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(put.body["count"].as_int64(), 2);
}

TEST_F(KeyBackupTest, BadKeyRequests) {
  std::string v = Create(alice_);
  std::string room = absl::StrCat(kKeys, "/", kRoom);
  // ?version= is required everywhere.
  EXPECT_EQ(Call("GET", kKeys, "", alice_).Errcode(), "M_MISSING_PARAM");
  EXPECT_EQ(Call("PUT", SessionPath("s"), KeyData(false, 0, 0), alice_).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("DELETE", room, "", alice_).Errcode(), "M_MISSING_PARAM");
  // Malformed key data; nothing of a rejected upload is written.
  EXPECT_EQ(Call("PUT", SessionPath("s") + Q(v), R"({"first_message_index":0})", alice_)
                .Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", room + Q(v),
                 absl::StrCat(R"({"sessions":{"good":)", KeyData(false, 0, 0),
                              R"(,"bad":{"is_verified":"yes"}}})"),
                 alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", room + Q(v), R"({"sessions":[]})", alice_).Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", absl::StrCat(kKeys, Q(v)), "{}", alice_).Errcode(),
            "M_MISSING_PARAM");
  EXPECT_EQ(Call("PUT", absl::StrCat(kKeys, Q(v)), R"({"rooms":{"!r:x":[]}})", alice_)
                .Errcode(),
            "M_BAD_JSON");
  EXPECT_EQ(Call("PUT", absl::StrCat(kKeys, Q(v)),
                 absl::StrCat(R"({"rooms":{"not-a-room":{"sessions":{}}}})"), alice_)
                .Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("GET", absl::StrCat(kKeys, "/not-a-room", Q(v)), "", alice_).Errcode(),
            "M_INVALID_PARAM");
  EXPECT_EQ(Call("GET", kVersion, "", alice_).body["count"].as_int64(), 0);
  EXPECT_EQ(Call("GET", absl::StrCat(kKeys, Q(v))).Errcode(), "M_MISSING_TOKEN");
}

TEST_F(KeyBackupTest, BackupsSurviveRestart) {
  std::string old = Create(alice_, "old");
  std::string v = Create(alice_, "pk");
  ASSERT_EQ(Call("PUT", SessionPath("s") + Q(v), KeyData(true, 4, 1, "kept"), alice_)
                .status,
            200);
  Reply before = Call("GET", kVersion, "", alice_);
  ASSERT_EQ(Call("DELETE", absl::StrCat(kVersion, "/", old), "", alice_).status, 200);
  Restart();
  alice_ = Login("alice", "pw").Str("access_token");
  Reply after = Call("GET", kVersion, "", alice_);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.Str("version"), v);
  EXPECT_EQ(after.Str("etag"), before.Str("etag"));
  EXPECT_EQ(after.body["count"].as_int64(), 1);
  EXPECT_EQ(after.body["auth_data"].at("public_key").as_string(), "pk");
  Reply key = Call("GET", SessionPath("s") + Q(v), "", alice_);
  ASSERT_EQ(key.status, 200);
  EXPECT_EQ(key.body["session_data"].at("ciphertext").as_string(), "kept");
  EXPECT_TRUE(key.body["is_verified"].as_bool());
  EXPECT_EQ(Call("GET", absl::StrCat(kVersion, "/", old), "", alice_).Errcode(),
            "M_NOT_FOUND");
  // Numbering goes on after the restart, past the deleted version too.
  std::string next = Create(alice_);
  EXPECT_NE(next, v);
  EXPECT_NE(next, old);
  // The upload rules still apply to what was stored before the restart.
  Reply worse = Call("PUT", SessionPath("s") + Q(next), KeyData(false, 0, 0), alice_);
  EXPECT_EQ(worse.body["count"].as_int64(), 1);
  EXPECT_EQ(Call("PUT", SessionPath("s") + Q(v), KeyData(false, 0, 0), alice_).Errcode(),
            "M_WRONG_ROOM_KEYS_VERSION");
}

}  // namespace
}  // namespace myelin::testing
