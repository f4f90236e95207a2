#include "dag/ids/ids.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::ids {
namespace {

using std::string_literals::operator""s;

TEST(UserIdTest, Table) {
  const struct {
    std::string id;
    bool strict;
    bool historical;
  } cases[] = {
      {"@alice:example.org", true, true},
      {"@a.b_c=d-e/f+g:example.org:8448", true, true},
      {"@0:1.2.3.4", true, true},
      {"@Alice:example.org", false, true},      // upper case: historical
      {"@al ice:example.org", false, true},
      {"@\xc3\xa9:example.org", false, true},  // é
      {"@:example.org", false, true},           // empty localpart
      {"@a\x01:example.org", false, true},      // controls are allowed
      {"@a\0b:example.org"s, false, false},     // NUL never
      {"@a\xed\xa0\x80:example.org", false, false},  // surrogate
      {"@a\xff:example.org", false, false},
      {"alice:example.org", false, false},
      {"@alice", false, false},
      {"@alice:", false, false},
      {"@alice:exa_mple.org", false, false},
      {"#alice:example.org", false, false},
      {"", false, false},
      {"@" + std::string(242, 'a') + ":example.org", true, true},  // 255
      {"@" + std::string(243, 'a') + ":example.org", false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseUserId(c.id, UserIdGrammar::kStrict).ok(), c.strict) << c.id;
    EXPECT_EQ(ParseUserId(c.id, UserIdGrammar::kHistorical).ok(), c.historical)
        << c.id;
  }
  auto parts = ParseUserId("@bob:[::1]:80");
  ASSERT_TRUE(parts.ok());
  EXPECT_EQ(parts->localpart, "bob");
  EXPECT_EQ(parts->server_name, "[::1]:80");
}

TEST(RoomIdTest, Table) {
  const std::string v12 = "!P5-6WTYQ_woy6f4nmleE0XqxjtZcyKGza5_gDN-KAdM";
  EXPECT_TRUE(ParseRoomId("!abc:example.org", RoomIdFormat::kWithDomain).ok());
  EXPECT_TRUE(ParseRoomId("!abc:example.org").ok());
  EXPECT_FALSE(ParseRoomId("!abc:example.org", RoomIdFormat::kCreateEventHash).ok());
  EXPECT_TRUE(ParseRoomId(v12, RoomIdFormat::kCreateEventHash).ok());
  EXPECT_TRUE(ParseRoomId(v12).ok());
  EXPECT_FALSE(ParseRoomId(v12, RoomIdFormat::kWithDomain).ok());
  EXPECT_EQ(ParseRoomId(v12)->server_name, "");
  EXPECT_FALSE(ParseRoomId("!short").ok());
  EXPECT_FALSE(ParseRoomId(v12 + "A").ok());
  EXPECT_FALSE(ParseRoomId("!P5+6WTYQ_woy6f4nmleE0XqxjtZcyKGza5_gDN-KAdM").ok());
  EXPECT_FALSE(ParseRoomId("!:example.org").ok());
  EXPECT_FALSE(ParseRoomId("$abc:example.org").ok());
  EXPECT_FALSE(ParseRoomId("!a:" + std::string(253, 'b')).ok());  // 256 bytes
  EXPECT_TRUE(ParseRoomId("!a:" + std::string(252, 'b')).ok());
}

TEST(RoomAliasTest, Table) {
  EXPECT_TRUE(ParseRoomAlias("#room:example.org").ok());
  EXPECT_TRUE(ParseRoomAlias("#R\xc3\xa9 x:example.org").ok());
  EXPECT_FALSE(ParseRoomAlias("#:example.org").ok());
  EXPECT_FALSE(ParseRoomAlias("#room").ok());
  EXPECT_FALSE(ParseRoomAlias("#a\0b:example.org"s).ok());
  EXPECT_FALSE(ParseRoomAlias("!room:example.org").ok());
}

TEST(EventIdTest, SpecExamplesPerFormat) {
  const auto& ex = testing::SpecVectors()
                       .at("identifiers")
                       .at("event_id_examples")
                       .as_object();
  const std::string v3(ex.at("room_v3").as_string());
  const std::string v4(ex.at("room_v4_plus").as_string());
  EXPECT_TRUE(ParseEventId(v3, EventIdFormat::kV3Base64).ok());
  EXPECT_TRUE(ParseEventId(v4, EventIdFormat::kV4UrlSafe).ok());
  EXPECT_FALSE(ParseEventId(v4, EventIdFormat::kV3Base64).ok());  // '-', '_'
  EXPECT_FALSE(ParseEventId(v4, EventIdFormat::kV1ServerAssigned).ok());
  EXPECT_TRUE(ParseEventId("$opaque_id:domain", EventIdFormat::kV1ServerAssigned).ok());
  EXPECT_FALSE(ParseEventId("$opaque_id:domain", EventIdFormat::kV4UrlSafe).ok());
  EXPECT_FALSE(ParseEventId("$:domain", EventIdFormat::kV1ServerAssigned).ok());
  EXPECT_FALSE(ParseEventId("$abc", EventIdFormat::kV4UrlSafe).ok());
  EXPECT_TRUE(CheckEventIdAnyFormat(v3).ok());
  EXPECT_FALSE(CheckEventIdAnyFormat("$").ok());
  EXPECT_FALSE(CheckEventIdAnyFormat("$" + std::string(255, 'a')).ok());
}

TEST(RoomIdTest, FromCreateEventIdSpecVector) {
  const auto& v = testing::SpecVectors().at("derived_room_v12_room_id");
  EXPECT_EQ(RoomIdFromCreateEventId(std::string(v.at("expected_event_id").as_string())),
            v.at("expected_room_id").as_string());
}

TEST(KeyIdTest, Table) {
  auto k = ParseKeyId("ed25519:abc_123");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->algorithm, "ed25519");
  EXPECT_EQ(k->version, "abc_123");
  EXPECT_TRUE(ParseKeyId("ed25519:1").ok());
  EXPECT_TRUE(ParseKeyId("ed25519:Auto").ok());
  EXPECT_FALSE(ParseKeyId("ed25519:").ok());
  EXPECT_FALSE(ParseKeyId(":1").ok());
  EXPECT_FALSE(ParseKeyId("ed25519").ok());
  EXPECT_FALSE(ParseKeyId("ed25519:a-b").ok());
  EXPECT_FALSE(ParseKeyId("ed25519:a:b").ok());
  EXPECT_FALSE(ParseKeyId("Ed25519:1").ok());
}

TEST(GrammarTest, RoomVersionAndNamespacedIds) {
  EXPECT_TRUE(IsValidRoomVersionId("12"));
  EXPECT_TRUE(IsValidRoomVersionId("org.matrix.msc1234-3"));
  EXPECT_FALSE(IsValidRoomVersionId(""));
  EXPECT_FALSE(IsValidRoomVersionId("V1"));
  EXPECT_FALSE(IsValidRoomVersionId(std::string(33, 'a')));
  EXPECT_TRUE(IsValidNamespacedIdentifier("m.login.password"));
  EXPECT_TRUE(IsValidNamespacedIdentifier("com.example_x-y.z9"));
  EXPECT_FALSE(IsValidNamespacedIdentifier("9m"));
  EXPECT_FALSE(IsValidNamespacedIdentifier("M.x"));
  EXPECT_FALSE(IsValidNamespacedIdentifier(std::string(256, 'a')));
}

TEST(MappingTest, SpecSuggestedExamples) {
  const auto& examples = testing::SpecVectors()
                             .at("identifiers")
                             .at("user_id")
                             .at("suggested_mapping_examples")
                             .as_array();
  ASSERT_EQ(examples.size(), 4u);
  for (const auto& e : examples) {
    std::string in(e.at("input").as_string());
    // "A" and "_" are the case-preserving scheme; the others map the same
    // either way.
    EXPECT_EQ(MapToUserIdLocalpart(in, /*preserve_case=*/true),
              e.at("output").as_string())
        << in;
  }
  EXPECT_EQ(MapToUserIdLocalpart("Alice_B", false), "alice_b");
  EXPECT_EQ(MapToUserIdLocalpart("a=b", false), "a=3db");
}

}  // namespace
}  // namespace myelin::ids
