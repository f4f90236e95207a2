#include "dag/event/hashes.h"

#include <string>

#include "boost/json.hpp"
#include "dag/base/matrix_error.h"
#include "dag/crypto/ed25519.h"
#include "dag/event/signing.h"
#include "gtest/gtest.h"

namespace myelin::event {
namespace {

constexpr auto kStrict = JsonStrictness::kStrict;

boost::json::object Message() {
  return boost::json::parse(R"({
    "type": "m.room.message", "room_id": "!r:x", "sender": "@s:x",
    "content": {"body": "hello"}, "depth": 2, "origin_server_ts": 5,
    "prev_events": ["$p"], "auth_events": ["$a"],
    "unsigned": {"age": 3}})").as_object();
}

crypto::Ed25519KeyPair Key(char c) {
  return *crypto::Ed25519KeyPair::FromSeed(std::string(32, c));
}

TEST(ContentHashTest, RoundTripAndTamper) {
  auto hashed = AddContentHash(Message(), kStrict);
  ASSERT_TRUE(hashed.ok());
  EXPECT_TRUE(CheckContentHash(*hashed, kStrict).ok());
  // Not covered: unsigned, signatures.
  (*hashed)["unsigned"] = boost::json::object{{"age", 99}};
  (*hashed)["signatures"] = boost::json::object{{"x", boost::json::object{}}};
  EXPECT_TRUE(CheckContentHash(*hashed, kStrict).ok());
  boost::json::object tampered = *hashed;
  tampered["content"].as_object()["body"] = "bye";
  EXPECT_EQ(ErrcodeOf(CheckContentHash(tampered, kStrict)), errcode::kForbidden);
  boost::json::object no_hash = Message();
  EXPECT_EQ(ErrcodeOf(CheckContentHash(no_hash, kStrict)), errcode::kBadJson);
  no_hash["hashes"] = boost::json::object{{"sha256", "!!"}};
  EXPECT_EQ(ErrcodeOf(CheckContentHash(no_hash, kStrict)), errcode::kBadJson);
}

TEST(ContentHashTest, StrictnessMatters) {
  boost::json::object e = Message();
  e["content"].as_object()["n"] = int64_t{1} << 60;
  EXPECT_EQ(ErrcodeOf(ContentHash(e, kStrict).status()), errcode::kBadJson);
  EXPECT_TRUE(ContentHash(e, JsonStrictness::kLenient).ok());
}

TEST(EventSigningTest, SignedEventVerifiesAfterRedaction) {
  for (RedactionRules rules : {RedactionRules::kV1, RedactionRules::kV11}) {
    auto signed_event =
        HashAndSignEvent(Message(), "x", "ed25519:1", Key('a'), rules, kStrict);
    ASSERT_TRUE(signed_event.ok());
    EXPECT_TRUE(signed_event->contains("unsigned"));
    const std::string pk(Key('a').public_key());
    EXPECT_TRUE(VerifyEventSignature(*signed_event, "x", "ed25519:1", pk, rules,
                                     kStrict).ok());
    // Editing redactable content keeps the signature valid (the content
    // hash catches it); editing a kept key breaks it.
    boost::json::object body_changed = *signed_event;
    body_changed["content"].as_object()["body"] = "bye";
    EXPECT_TRUE(VerifyEventSignature(body_changed, "x", "ed25519:1", pk, rules,
                                     kStrict).ok());
    EXPECT_FALSE(CheckContentHash(body_changed, kStrict).ok());
    boost::json::object depth_changed = *signed_event;
    depth_changed["depth"] = 3;
    EXPECT_EQ(ErrcodeOf(VerifyEventSignature(depth_changed, "x", "ed25519:1",
                                             pk, rules, kStrict)),
              errcode::kUnauthorized);
    EXPECT_FALSE(VerifyEventSignature(*signed_event, "x", "ed25519:1",
                                      std::string(Key('b').public_key()), rules,
                                      kStrict).ok());
  }
}

TEST(EventSigningTest, SecondServerSignatureKeepsFirst) {
  auto once = HashAndSignEvent(Message(), "x", "ed25519:1", Key('a'),
                               RedactionRules::kV11, kStrict);
  auto twice = HashAndSignEvent(*once, "y", "ed25519:2", Key('b'),
                                RedactionRules::kV11, kStrict);
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(VerifyEventSignature(*twice, "x", "ed25519:1",
                                   std::string(Key('a').public_key()),
                                   RedactionRules::kV11, kStrict).ok());
  EXPECT_TRUE(VerifyEventSignature(*twice, "y", "ed25519:2",
                                   std::string(Key('b').public_key()),
                                   RedactionRules::kV11, kStrict).ok());
}

TEST(EventIdTest, FormatsAndStability) {
  auto e = *HashAndSignEvent(Message(), "x", "ed25519:1", Key('a'),
                             RedactionRules::kV11, kStrict);
  auto v3 = ComputeEventId(e, EventIdFormat::kV3Base64, RedactionRules::kV11, kStrict);
  auto v4 = ComputeEventId(e, EventIdFormat::kV4UrlSafe, RedactionRules::kV11, kStrict);
  ASSERT_TRUE(v3.ok() && v4.ok());
  EXPECT_EQ(v3->size(), 44u);
  EXPECT_EQ(v4->size(), 44u);
  EXPECT_EQ(v4->find_first_of("+/"), std::string::npos);
  // unsigned and content (redacted away) do not change the id; depth does.
  boost::json::object same = e;
  same["unsigned"] = boost::json::object{{"age", 7}};
  same["content"].as_object()["body"] = "changed";
  EXPECT_EQ(*ComputeEventId(same, EventIdFormat::kV4UrlSafe,
                            RedactionRules::kV11, kStrict), *v4);
  boost::json::object other = e;
  other["depth"] = 9;
  EXPECT_NE(*ComputeEventId(other, EventIdFormat::kV4UrlSafe,
                            RedactionRules::kV11, kStrict), *v4);
  EXPECT_FALSE(ComputeEventId(e, EventIdFormat::kV1ServerAssigned,
                              RedactionRules::kV1, kStrict).ok());
}

}  // namespace
}  // namespace myelin::event
