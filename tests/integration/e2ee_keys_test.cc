// End-to-end encryption keys over HTTP (Spec: client-server-api, "End-to-
// End Encryption"): /keys/upload, /keys/query, /keys/claim (also from many
// connections at once), /keys/changes, cross-signing with and without UIA,
// signature uploads and their failures, and what /sync says about keys:
// device_lists, one-time key counts and unused fallback key types.
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dag/crypto/base64.h"
#include "dag/crypto/ed25519.h"
#include "dag/crypto/json_signing.h"
#include "gmock/gmock.h"
#include "tests/integration/sync_fixture.h"

namespace myelin::testing {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kOtk[] = "signed_curve25519";

// An ed25519 key pair of a device or a cross-signing key, from a fixed seed.
struct Key {
  explicit Key(char seed)
      : pair(*crypto::Ed25519KeyPair::FromSeed(std::string(32, seed))),
        public_key(crypto::EncodeBase64(pair.public_key())) {}
  std::string Id() const { return "ed25519:" + public_key; }
  crypto::Ed25519KeyPair pair;
  std::string public_key;
};

json::object Signed(json::object object, const std::string& user,
                    const std::string& key_id, const Key& key) {
  absl::StatusOr<json::object> signed_object =
      crypto::SignJson(std::move(object), user, key_id, key.pair);
  EXPECT_TRUE(signed_object.ok()) << signed_object.status();
  return signed_object.value_or(json::object());
}

std::vector<std::string> Strings(const json::value* array) {
  std::vector<std::string> out;
  if (array == nullptr || !array->is_array()) return out;
  for (const auto& v : array->get_array()) out.push_back(ToString(v));
  return out;
}

class E2eeKeysTest : public SyncTest {
 protected:
  // The device keys of `user`'s device, signed by `key`.
  static json::object DeviceKeys(const User& user, const Key& key,
                                 const std::string& curve = "curve") {
    json::object keys{
        {"user_id", user.id},
        {"device_id", user.device},
        {"algorithms",
         json::array{"m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"}},
        {"keys", json::object{{"curve25519:" + user.device, curve},
                              {"ed25519:" + user.device, key.public_key}}}};
    return Signed(std::move(keys), user.id, "ed25519:" + user.device, key);
  }
  static json::object OneTimeKey(const User& user, const Key& key,
                                 const std::string& value, bool fallback = false) {
    json::object otk{{"key", value}};
    if (fallback) otk["fallback"] = true;
    return Signed(std::move(otk), user.id, "ed25519:" + user.device, key);
  }

  Reply Upload(const User& user, const json::object& body) {
    return Call("POST", absl::StrCat(kV3, "/keys/upload"), json::serialize(body),
                user.token);
  }
  Reply Query(const User& user, const json::object& device_keys) {
    Reply reply = Call("POST", absl::StrCat(kV3, "/keys/query"),
                       json::serialize(json::object{{"device_keys", device_keys}}),
                       user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply;
  }
  Reply Claim(const User& user, const User& of, const std::string& algorithm = kOtk) {
    json::object wanted{{of.id, json::object{{of.device, algorithm}}}};
    Reply reply = Call("POST", absl::StrCat(kV3, "/keys/claim"),
                       json::serialize(json::object{{"one_time_keys", wanted}}),
                       user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply;
  }
  // The "<algorithm>:<key id>" a claim got for `of`, or "".
  static std::string ClaimedName(const Reply& reply, const User& of) {
    const json::object& keys = At(reply.body, {"one_time_keys", of.id, of.device});
    return keys.empty() ? "" : std::string(keys.begin()->key());
  }

  // Uploads device keys, `count` one-time keys and a fallback key.
  void UploadAll(const User& user, const Key& key, int count) {
    json::object otks;
    for (int i = 0; i < count; ++i) {
      otks[absl::StrCat(kOtk, ":otk", i)] = OneTimeKey(user, key, absl::StrCat("k", i));
    }
    Reply reply = Upload(
        user, {{"device_keys", DeviceKeys(user, key)},
               {"one_time_keys", otks},
               {"fallback_keys",
                json::object{{absl::StrCat(kOtk, ":fb"),
                              OneTimeKey(user, key, "fbkey", true)}}}});
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  static std::vector<std::string> Changed(const Reply& sync) {
    return Strings(At(sync.body, {"device_lists"}).if_contains("changed"));
  }
  static std::vector<std::string> LeftLists(const Reply& sync) {
    return Strings(At(sync.body, {"device_lists"}).if_contains("left"));
  }

  // Deletes a device through UIA with the account password "pw".
  void DeleteDevice(const User& user, const std::string& localpart,
                    const std::string& device) {
    std::string path = absl::StrCat(kV3, "/devices/", device);
    Reply challenge = Call("DELETE", path, "{}", user.token);
    ASSERT_EQ(challenge.status, 401);
    Reply reply = Call("DELETE", path, PasswordAuth(localpart, challenge.Str("session")),
                       user.token);
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }
  static std::string PasswordAuth(const std::string& localpart,
                                  const std::string& session,
                                  json::object body = {}) {
    body["auth"] = json::object{
        {"type", "m.login.password"},
        {"identifier", json::object{{"type", "m.id.user"}, {"user", localpart}}},
        {"password", "pw"},
        {"session", session}};
    return json::serialize(body);
  }

  // Cross-signing keys of `user`: master, self-signing, user-signing.
  static json::object CrossKey(const User& user, const std::string& usage,
                               const Key& key, const Key* master) {
    json::object object{{"user_id", user.id},
                        {"usage", json::array{usage}},
                        {"keys", json::object{{key.Id(), key.public_key}}}};
    return master == nullptr ? object
                             : Signed(std::move(object), user.id, master->Id(), *master);
  }
  Reply UploadCrossSigning(const User& user, const json::object& body) {
    return Call("POST", absl::StrCat(kV3, "/keys/device_signing/upload"),
                json::serialize(body), user.token);
  }
  Reply UploadSignatures(const User& user, const json::object& body) {
    Reply reply = Call("POST", absl::StrCat(kV3, "/keys/signatures/upload"),
                       json::serialize(body), user.token);
    EXPECT_EQ(reply.status, 200) << json::serialize(reply.body);
    return reply;
  }
  void SetUpCrossSigning(const User& user, const Key& master, const Key& self,
                         const Key& user_signing) {
    Reply reply = UploadCrossSigning(
        user, {{"master_key", CrossKey(user, "master", master, nullptr)},
               {"self_signing_key", CrossKey(user, "self_signing", self, &master)},
               {"user_signing_key",
                CrossKey(user, "user_signing", user_signing, &master)}});
    ASSERT_EQ(reply.status, 200) << json::serialize(reply.body);
  }

  std::string SharedRoom() {
    std::string room = CreateRoom(alice_, R"({"preset":"public_chat"})");
    Join(bob_, room);
    return room;
  }

  Key alice_key_{'a'}, bob_key_{'b'};
};

TEST_F(E2eeKeysTest, UploadAndQueryDeviceKeys) {
  ASSERT_EQ(Call("PUT", absl::StrCat(kV3, "/devices/", alice_.device),
                 R"({"display_name":"Alice's phone"})", alice_.token)
                .status,
            200);
  json::object otks{{absl::StrCat(kOtk, ":AAAA"), OneTimeKey(alice_, alice_key_, "x")},
                    {absl::StrCat(kOtk, ":AAAB"), OneTimeKey(alice_, alice_key_, "y")}};
  Reply upload = Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)},
                                 {"one_time_keys", otks}});
  ASSERT_EQ(upload.status, 200) << json::serialize(upload.body);
  EXPECT_EQ(At(upload.body, {"one_time_key_counts"}).at(kOtk).as_int64(), 2);
  // A retried upload is fine, and counts nothing twice.
  upload = Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)},
                           {"one_time_keys", otks}});
  ASSERT_EQ(upload.status, 200) << json::serialize(upload.body);
  EXPECT_EQ(At(upload.body, {"one_time_key_counts"}).at(kOtk).as_int64(), 2);

  Reply query = Query(bob_, {{alice_.id, json::array()},
                             {"@someone:other.example", json::array()}});
  const json::object& device = At(query.body, {"device_keys", alice_.id, alice_.device});
  EXPECT_EQ(device.at("keys").at("ed25519:" + alice_.device).as_string(),
            alice_key_.public_key);
  EXPECT_EQ(At(device, {"unsigned"}).at("device_display_name").as_string(),
            "Alice's phone");
  EXPECT_TRUE(At(query.body, {"failures"}).contains("other.example"))
      << json::serialize(query.body);
  // The stored keys still verify: served as uploaded.
  EXPECT_TRUE(crypto::VerifyJsonSignature(device, alice_.id, "ed25519:" + alice_.device,
                                          alice_key_.pair.public_key())
                  .ok());
  // Asking for one device by id; an unknown one is just missing.
  query = Query(bob_, {{alice_.id, json::array{alice_.device, "NOPE"}}});
  EXPECT_EQ(At(query.body, {"device_keys", alice_.id}).size(), 1u);
  EXPECT_TRUE(At(query.body, {"failures"}).empty());
}

TEST_F(E2eeKeysTest, UploadRefusesBadKeys) {
  ASSERT_EQ(Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)}}).status, 200);
  // Other identity keys for the same device.
  Reply reply = Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_, "other")}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Errcode(), "M_INVALID_PARAM");
  // Keys of another device.
  User other = alice_;
  other.device = "SOMEOTHER";
  reply = Upload(alice_, {{"device_keys", DeviceKeys(other, alice_key_)}});
  EXPECT_EQ(reply.Errcode(), "M_INVALID_PARAM");
  // Not signed by the device's key.
  User carol = NewUser("carol");
  json::object forged = DeviceKeys(carol, alice_key_);
  forged["keys"].as_object()["ed25519:" + carol.device] = bob_key_.public_key;
  reply = Upload(carol, {{"device_keys", forged}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Errcode(), "M_INVALID_SIGNATURE");
  // A one-time key id reused with other content.
  json::object first{{absl::StrCat(kOtk, ":A"), OneTimeKey(alice_, alice_key_, "1")}};
  json::object again{{absl::StrCat(kOtk, ":A"), OneTimeKey(alice_, alice_key_, "2")}};
  ASSERT_EQ(Upload(alice_, {{"one_time_keys", first}}).status, 200);
  reply = Upload(alice_, {{"one_time_keys", again}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.Errcode(), "M_INVALID_PARAM");
  reply = Upload(alice_, {{"one_time_keys", json::object{{"nocolon", "k"}}}});
  EXPECT_EQ(reply.Errcode(), "M_INVALID_PARAM");
  reply = Upload(alice_, {{"one_time_keys", "not an object"}});
  EXPECT_EQ(reply.Errcode(), "M_BAD_JSON");
}

TEST_F(E2eeKeysTest, ClaimsOneTimeKeysThenTheFallbackKey) {
  UploadAll(alice_, alice_key_, 3);
  Reply sync = Sync(alice_);
  EXPECT_EQ(At(sync.body, {"device_one_time_keys_count"}).at(kOtk).as_int64(), 3);
  EXPECT_THAT(Strings(sync.body.if_contains("device_unused_fallback_key_types")),
              ElementsAre(kOtk));
  std::set<std::string> claimed;
  for (int i = 0; i < 3; ++i) {
    Reply reply = Claim(bob_, alice_);
    claimed.insert(ClaimedName(reply, alice_));
    EXPECT_TRUE(At(reply.body, {"failures"}).empty());
  }
  EXPECT_EQ(claimed, (std::set<std::string>{absl::StrCat(kOtk, ":otk0"),
                                            absl::StrCat(kOtk, ":otk1"),
                                            absl::StrCat(kOtk, ":otk2")}));
  // Then the fallback key, again and again; it keeps its signature.
  for (int i = 0; i < 2; ++i) {
    Reply reply = Claim(bob_, alice_);
    EXPECT_EQ(ClaimedName(reply, alice_), absl::StrCat(kOtk, ":fb"));
    const json::object& key =
        At(reply.body, {"one_time_keys", alice_.id, alice_.device, absl::StrCat(kOtk, ":fb")});
    EXPECT_TRUE(key.at("fallback").as_bool());
    EXPECT_TRUE(crypto::VerifyJsonSignature(key, alice_.id, "ed25519:" + alice_.device,
                                            alice_key_.pair.public_key())
                    .ok());
  }
  sync = Sync(alice_);
  EXPECT_EQ(At(sync.body, {"device_one_time_keys_count"}).at(kOtk).as_int64(), 0);
  EXPECT_THAT(Strings(sync.body.if_contains("device_unused_fallback_key_types")),
              IsEmpty());
  // Nothing of another algorithm; a remote user is a failure.
  EXPECT_EQ(ClaimedName(Claim(bob_, alice_, "curve25519"), alice_), "");
  User remote{"@x:other.example", "", "DEV"};
  Reply reply = Claim(bob_, remote);
  EXPECT_TRUE(At(reply.body, {"failures"}).contains("other.example"));
}

TEST_F(E2eeKeysTest, ConcurrentClaimsGetTheLastOneTimeKeyOnce) {
  UploadAll(alice_, alice_key_, 1);
  constexpr int kClaimers = 8;
  std::mutex mu;
  std::multiset<std::string> names;
  std::vector<std::thread> threads;
  for (int i = 0; i < kClaimers; ++i) {
    threads.emplace_back([&] {
      HttpClient client("127.0.0.1", server_->port());
      json::object wanted{{alice_.id, json::object{{alice_.device, kOtk}}}};
      auto result = client.Send(
          "POST", absl::StrCat(kV3, "/keys/claim"),
          json::serialize(json::object{{"one_time_keys", wanted}}),
          {{"Authorization", "Bearer " + bob_.token},
           {"Content-Type", "application/json"}});
      ASSERT_TRUE(result.ok()) << result.status();
      Reply reply;
      reply.body = json::parse(result->body).as_object();
      std::lock_guard<std::mutex> lock(mu);
      names.insert(ClaimedName(reply, alice_));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(names.count(absl::StrCat(kOtk, ":otk0")), 1u);
  EXPECT_EQ(names.count(absl::StrCat(kOtk, ":fb")), kClaimers - 1u);
}

TEST_F(E2eeKeysTest, DeletingADeviceDropsItsKeysAndTellsRoomMates) {
  SharedRoom();
  User phone = NewDevice(alice_, "alice");
  Key phone_key('p');
  UploadAll(phone, phone_key, 2);
  std::string since = Sync(bob_).Str("next_batch");
  std::string own_since = Sync(alice_).Str("next_batch");
  DeleteDevice(alice_, "alice", phone.device);
  Reply sync = SyncSince(bob_, since);
  EXPECT_THAT(Changed(sync), Contains(alice_.id)) << json::serialize(sync.body);
  // Her own other devices hear of it too.
  EXPECT_THAT(Changed(SyncSince(alice_, own_since)), Contains(alice_.id));
  Reply query = Query(bob_, {{alice_.id, json::array()}});
  EXPECT_FALSE(At(query.body, {"device_keys", alice_.id}).contains(phone.device));
  EXPECT_EQ(ClaimedName(Claim(bob_, phone), phone), "");
  // A user sharing no room with alice hears nothing of it.
  User carol = NewUser("carol");
  std::string carol_since = Sync(carol).Str("next_batch");
  User tablet = NewDevice(alice_, "alice");
  UploadAll(tablet, Key('t'), 1);
  EXPECT_THAT(Changed(SyncSince(carol, carol_since)), Not(Contains(alice_.id)));
}

TEST_F(E2eeKeysTest, ALongPollWakesOnADeviceListChange) {
  SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  HttpClient poller("127.0.0.1", server_->port(), false, 60);
  absl::StatusOr<HttpResult> result;
  auto started = std::chrono::steady_clock::now();
  std::thread poll([&] {
    result = poller.Send(
        "GET", absl::StrCat(kV3, "/sync?timeout=10000&since=", UrlEncode(since)), "",
        {{"Authorization", "Bearer " + bob_.token}});
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)}}).status, 200);
  poll.join();
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 9000);
  Reply reply;
  reply.body = json::parse(result->body).as_object();
  EXPECT_THAT(Changed(reply), Contains(alice_.id)) << result->body;
}

TEST_F(E2eeKeysTest, DeviceListsFollowRoomSharing) {
  std::string room = SharedRoom();
  User carol = NewUser("carol");
  ASSERT_EQ(Upload(carol, {{"device_keys", DeviceKeys(carol, Key('c'))}}).status, 200);
  std::string since = Sync(bob_).Str("next_batch");
  // Carol joins a room of bob's: now bob should track her devices.
  Join(carol, room);
  Reply sync = SyncSince(bob_, since);
  EXPECT_THAT(Changed(sync), Contains(carol.id)) << json::serialize(sync.body);
  EXPECT_THAT(LeftLists(sync), IsEmpty());
  since = sync.Str("next_batch");
  // She leaves: bob shares no room with her any more.
  Leave(carol, room);
  sync = SyncSince(bob_, since);
  EXPECT_THAT(LeftLists(sync), ElementsAre(carol.id)) << json::serialize(sync.body);
  EXPECT_THAT(Changed(sync), Not(Contains(carol.id)));
  // A profile change (join after join) is no device-list news.
  since = sync.Str("next_batch");
  PutState(alice_, room, "m.room.member", alice_.id,
           R"({"membership":"join","displayname":"Al"})");
  EXPECT_THAT(Changed(SyncSince(bob_, since)), Not(Contains(alice_.id)));
}

TEST_F(E2eeKeysTest, KeysChangesBetweenTwoSyncTokens) {
  SharedRoom();
  User carol = NewUser("carol");
  std::string from = Sync(bob_).Str("next_batch");
  ASSERT_EQ(Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)}}).status, 200);
  ASSERT_EQ(Upload(carol, {{"device_keys", DeviceKeys(carol, Key('c'))}}).status, 200);
  std::string to = Sync(bob_, "since=" + UrlEncode(from)).Str("next_batch");
  Reply changes = Call("GET", absl::StrCat(kV3, "/keys/changes?from=", UrlEncode(from),
                                           "&to=", UrlEncode(to)),
                       "", bob_.token);
  ASSERT_EQ(changes.status, 200) << json::serialize(changes.body);
  EXPECT_THAT(Strings(changes.body.if_contains("changed")), ElementsAre(alice_.id));
  EXPECT_THAT(Strings(changes.body.if_contains("left")), IsEmpty());
  // Nothing after `to`.
  changes = Call("GET", absl::StrCat(kV3, "/keys/changes?from=", UrlEncode(to),
                                     "&to=", UrlEncode(to)),
                 "", bob_.token);
  EXPECT_THAT(Strings(changes.body.if_contains("changed")), IsEmpty());
  changes = Call("GET", absl::StrCat(kV3, "/keys/changes?from=garbage&to=", UrlEncode(to)),
                 "", bob_.token);
  EXPECT_EQ(changes.Errcode(), "M_INVALID_PARAM");
}

TEST_F(E2eeKeysTest, CrossSigningUploadNeedsUiaOnlyToReplaceKeys) {
  Key master('m'), self('s'), user_signing('u');
  SharedRoom();
  std::string since = Sync(bob_).Str("next_batch");
  // The first upload needs no UIA.
  SetUpCrossSigning(alice_, master, self, user_signing);
  EXPECT_THAT(Changed(SyncSince(bob_, since)), Contains(alice_.id));
  // The same keys again: still none.
  SetUpCrossSigning(alice_, master, self, user_signing);

  Reply query = Query(bob_, {{alice_.id, json::array()}});
  EXPECT_EQ(At(query.body, {"master_keys", alice_.id}).at("keys").at(master.Id()).as_string(),
            master.public_key);
  EXPECT_FALSE(At(query.body, {"self_signing_keys", alice_.id}).empty());
  // The user-signing key only for its owner.
  EXPECT_TRUE(At(query.body, {"user_signing_keys"}).empty());
  query = Query(alice_, {{alice_.id, json::array()}});
  EXPECT_FALSE(At(query.body, {"user_signing_keys", alice_.id}).empty());

  // A new master key needs the password.
  Key master2('n'), self2('t');
  json::object replace{{"master_key", CrossKey(alice_, "master", master2, nullptr)},
                       {"self_signing_key", CrossKey(alice_, "self_signing", self2, &master2)}};
  Reply challenge = UploadCrossSigning(alice_, replace);
  ASSERT_EQ(challenge.status, 401) << json::serialize(challenge.body);
  EXPECT_FALSE(challenge.Str("session").empty());
  Reply done = Call("POST", absl::StrCat(kV3, "/keys/device_signing/upload"),
                    PasswordAuth("alice", challenge.Str("session"), replace), alice_.token);
  ASSERT_EQ(done.status, 200) << json::serialize(done.body);
  query = Query(bob_, {{alice_.id, json::array()}});
  EXPECT_TRUE(At(query.body, {"master_keys", alice_.id, "keys"}).contains(master2.Id()));

  // A self-signing key not signed by the master key.
  Reply bad = UploadCrossSigning(
      bob_, {{"master_key", CrossKey(bob_, "master", Key('x'), nullptr)},
             {"self_signing_key", CrossKey(bob_, "self_signing", Key('y'), &self2)}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Errcode(), "M_INVALID_SIGNATURE");
  // No master key anywhere.
  User carol = NewUser("carol");
  bad = UploadCrossSigning(carol, {{"self_signing_key",
                                    CrossKey(carol, "self_signing", Key('y'), &self2)}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.Errcode(), "M_MISSING_PARAM");
  // Wrong usage.
  bad = UploadCrossSigning(carol, {{"master_key", CrossKey(carol, "self_signing", Key('z'), nullptr)}});
  EXPECT_EQ(bad.Errcode(), "M_INVALID_PARAM");
}

TEST_F(E2eeKeysTest, SignatureUploadsAreCheckedAndShownToTheRightUsers) {
  Key alice_master('m'), alice_self('s'), alice_usk('u');
  Key bob_master('M'), bob_self('S'), bob_usk('U');
  SharedRoom();
  User carol = NewUser("carol");
  ASSERT_EQ(Upload(alice_, {{"device_keys", DeviceKeys(alice_, alice_key_)}}).status, 200);
  SetUpCrossSigning(alice_, alice_master, alice_self, alice_usk);
  SetUpCrossSigning(bob_, bob_master, bob_self, bob_usk);
  std::string since = Sync(bob_).Str("next_batch");

  json::object device = DeviceKeys(alice_, alice_key_);
  json::object alice_master_key = CrossKey(alice_, "master", alice_master, nullptr);
  json::object bob_view_of_alice = alice_master_key;
  Reply reply = UploadSignatures(
      alice_,
      {{alice_.id,
        json::object{
            // Her device, by her self-signing key.
            {alice_.device, Signed(device, alice_.id, alice_self.Id(), alice_self)},
            // Her master key, by her device.
            {alice_master.public_key,
             Signed(alice_master_key, alice_.id, "ed25519:" + alice_.device, alice_key_)}}}});
  EXPECT_TRUE(At(reply.body, {"failures"}).empty()) << json::serialize(reply.body);
  // Bob signs alice's master key with his user-signing key.
  reply = UploadSignatures(
      bob_, {{alice_.id, json::object{{alice_master.public_key,
                                       Signed(bob_view_of_alice, bob_.id, bob_usk.Id(),
                                              bob_usk)}}}});
  EXPECT_TRUE(At(reply.body, {"failures"}).empty()) << json::serialize(reply.body);
  EXPECT_THAT(Changed(SyncSince(bob_, since)), Contains(alice_.id));

  // Bob sees the self-signing signature, the device's and his own.
  Reply query = Query(bob_, {{alice_.id, json::array()}});
  const json::object& served_device = At(query.body, {"device_keys", alice_.id, alice_.device});
  EXPECT_TRUE(At(served_device, {"signatures", alice_.id}).contains(alice_self.Id()));
  EXPECT_TRUE(crypto::VerifyJsonSignature(served_device, alice_.id, alice_self.Id(),
                                          alice_self.pair.public_key())
                  .ok());
  const json::object& master_sigs = At(query.body, {"master_keys", alice_.id, "signatures"});
  EXPECT_TRUE(At(master_sigs, {alice_.id}).contains("ed25519:" + alice_.device));
  EXPECT_TRUE(At(master_sigs, {bob_.id}).contains(bob_usk.Id()));
  // Nobody else sees bob's user-signing signature, alice included.
  for (const User* viewer : {&alice_, &carol}) {
    query = Query(*viewer, {{alice_.id, json::array()}});
    EXPECT_FALSE(At(query.body, {"master_keys", alice_.id, "signatures"}).contains(bob_.id))
        << json::serialize(query.body);
  }

  // Failures, each reported by user and key id.
  json::object tampered = Signed(device, alice_.id, alice_self.Id(), alice_self);
  tampered["signatures"].as_object()[alice_.id].as_object()[alice_self.Id()] =
      crypto::EncodeBase64(std::string(64, 'x'));
  json::object altered = device;
  altered["algorithms"] = json::array{"other"};
  reply = UploadSignatures(
      alice_,
      {{alice_.id,
        json::object{{alice_.device, tampered},
                     {"NOSUCHKEY", Signed(device, alice_.id, alice_self.Id(), alice_self)}}},
       {carol.id, json::object{{"CAROLDEV", Signed(device, alice_.id, alice_usk.Id(),
                                                   alice_usk)}}}});
  EXPECT_EQ(At(reply.body, {"failures", alice_.id, alice_.device}).at("errcode").as_string(),
            "M_INVALID_SIGNATURE");
  EXPECT_EQ(At(reply.body, {"failures", alice_.id, "NOSUCHKEY"}).at("errcode").as_string(),
            "M_NOT_FOUND");
  EXPECT_FALSE(At(reply.body, {"failures", carol.id, "CAROLDEV"}).empty());
  reply = UploadSignatures(
      alice_, {{alice_.id, json::object{{alice_.device,
                                         Signed(altered, alice_.id, alice_self.Id(),
                                                alice_self)}}}});
  EXPECT_EQ(At(reply.body, {"failures", alice_.id, alice_.device}).at("errcode").as_string(),
            "M_INVALID_PARAM");
  // Bob's user-signing key does not sign devices, and a signature by his
  // self-signing key does not count for alice's master key.
  reply = UploadSignatures(
      bob_, {{alice_.id, json::object{{alice_master.public_key,
                                       Signed(alice_master_key, bob_.id, bob_self.Id(),
                                              bob_self)}}}});
  EXPECT_EQ(At(reply.body, {"failures", alice_.id, alice_master.public_key})
                .at("errcode")
                .as_string(),
            "M_INVALID_SIGNATURE");
}

}  // namespace
}  // namespace myelin::testing
