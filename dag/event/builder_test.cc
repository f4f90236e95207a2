#include "dag/event/builder.h"

#include "dag/auth/auth.h"
#include "dag/crypto/ed25519.h"
#include "dag/event/hashes.h"
#include "dag/event/signing.h"
#include "dag/pdu/pdu.h"
#include "gtest/gtest.h"

namespace myelin::event {
namespace {

// A well-formed v4+ event id.
std::string FakeId(char c) { return "$" + std::string(43, c); }

class BuilderTest : public ::testing::Test {
 protected:
  BuilderTest()
      : key_(*crypto::Ed25519KeyPair::FromSeed(std::string(32, '\x07'))),
        signer_{"example.org", "ed25519:a_test", &key_} {}

  EventDraft Create(const RoomVersionRules& rules) {
    EventDraft draft;
    draft.room_id = "!room:example.org";
    draft.type = "m.room.create";
    draft.state_key = "";
    draft.sender = "@alice:example.org";
    draft.content = {{"room_version", std::string(rules.id)}};
    if (rules.require_create_creator) {
      draft.content["creator"] = "@alice:example.org";
    }
    return draft;
  }

  crypto::Ed25519KeyPair key_;
  Signer signer_;
};

TEST_F(BuilderTest, CreateEventsAuthoriseInEveryRoomVersion) {
  for (const RoomVersionRules& rules : AllRoomVersions()) {
    SCOPED_TRACE(rules.id);
    auto built = BuildEvent(rules, Create(rules), DagPosition{}, 1'700'000'000'000,
                            signer_, "local1");
    ASSERT_TRUE(built.ok()) << built.status();
    EXPECT_EQ(built->event_id[0], '$');
    EXPECT_TRUE(CheckContentHash(built->json, rules.json).ok());
    EXPECT_TRUE(VerifyEventSignature(built->json, "example.org",
                                     "ed25519:a_test", key_.public_key(),
                                     rules.redaction, rules.json)
                    .ok());
    auto pdu = Pdu::ParseText(built->canonical, rules, built->event_id);
    ASSERT_TRUE(pdu.ok()) << pdu.status();
    EXPECT_TRUE(CheckAuth(*pdu, rules, AuthState{}).ok());
    if (rules.room_id_is_create_event_id) {
      EXPECT_EQ(built->room_id, "!" + built->event_id.substr(1));
      EXPECT_FALSE(built->json.contains("room_id"));
    } else {
      EXPECT_EQ(built->room_id, "!room:example.org");
    }
  }
}

TEST_F(BuilderTest, EventIdsFollowTheVersionFormat) {
  const RoomVersionRules& v1 = *FindRoomVersion("1");
  auto old = BuildEvent(v1, Create(v1), DagPosition{}, 1, signer_, "abc");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->event_id, "$abc:example.org");
  EXPECT_EQ(old->json.at("event_id").as_string(), "$abc:example.org");
  // v1 needs the random local part from the caller.
  EXPECT_FALSE(BuildEvent(v1, Create(v1), DagPosition{}, 1, signer_).ok());

  const RoomVersionRules& v10 = *FindRoomVersion("10");
  auto modern = BuildEvent(v10, Create(v10), DagPosition{}, 1, signer_);
  ASSERT_TRUE(modern.ok());
  EXPECT_FALSE(modern->json.contains("event_id"));
  EXPECT_EQ(modern->event_id.size(), 44u);  // '$' + 43 base64 chars.
  EXPECT_EQ(modern->event_id.find_first_of("+/"), std::string::npos);
}

TEST_F(BuilderTest, ReferencesUsePairsOnlyInV1AndV2) {
  EventDraft message;
  message.room_id = "!room:example.org";
  message.type = "m.room.message";
  message.sender = "@alice:example.org";
  message.content = {{"msgtype", "m.text"}, {"body", "hi"}};
  DagPosition position;
  position.prev_events = {{"$prev:example.org", {{"sha256", "abc"}}}};
  position.auth_events = {{"$create:example.org", {{"sha256", "def"}}}};
  position.depth = 7;
  auto v1 = BuildEvent(*FindRoomVersion("1"), message, position, 5, signer_, "m1");
  ASSERT_TRUE(v1.ok()) << v1.status();
  const auto& pair = v1->json.at("prev_events").as_array()[0].as_array();
  EXPECT_EQ(pair[0].as_string(), "$prev:example.org");
  EXPECT_EQ(pair[1].at("sha256").as_string(), "abc");
  EXPECT_EQ(v1->json.at("depth").as_int64(), 7);

  position.prev_events = {{FakeId('p'), {}}};
  position.auth_events = {{FakeId('c'), {}}};
  auto v4 = BuildEvent(*FindRoomVersion("4"), message, position, 5, signer_);
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->json.at("prev_events").as_array()[0].as_string(), FakeId('p'));
}

TEST_F(BuilderTest, RedactsMovesIntoContentFromV11) {
  EventDraft redaction;
  redaction.room_id = "!room:example.org";
  redaction.type = "m.room.redaction";
  redaction.sender = "@alice:example.org";
  redaction.redacts = FakeId('t');
  DagPosition position;
  position.prev_events = {{FakeId('p'), {}}};
  auto v10 = BuildEvent(*FindRoomVersion("10"), redaction, position, 5, signer_);
  ASSERT_TRUE(v10.ok()) << v10.status();
  EXPECT_EQ(v10->json.at("redacts").as_string(), FakeId('t'));
  auto v11 = BuildEvent(*FindRoomVersion("11"), redaction, position, 5, signer_);
  ASSERT_TRUE(v11.ok()) << v11.status();
  EXPECT_FALSE(v11->json.contains("redacts"));
  EXPECT_EQ(v11->json.at("content").at("redacts").as_string(), FakeId('t'));
}

TEST_F(BuilderTest, OversizedEventsAreRefused) {
  EventDraft message;
  message.room_id = "!room:example.org";
  message.type = "m.room.message";
  message.sender = "@alice:example.org";
  message.content = {{"body", std::string(70000, 'x')}};
  auto built = BuildEvent(*FindRoomVersion("10"), message, DagPosition{}, 5, signer_);
  EXPECT_FALSE(built.ok());
}

}  // namespace
}  // namespace myelin::event
