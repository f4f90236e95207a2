#include "dag/room_version/room_version.h"

#include <string>

#include "gtest/gtest.h"

namespace myelin {
namespace {

TEST(RoomVersionTest, LooksUpEveryVersion) {
  for (int v = 1; v <= 12; ++v) {
    const std::string id = std::to_string(v);
    const RoomVersionRules* rules = FindRoomVersion(id);
    ASSERT_NE(rules, nullptr) << id;
    EXPECT_EQ(rules->id, id);
    EXPECT_TRUE(rules->stable);
  }
  EXPECT_EQ(AllRoomVersions().size(), 12u);
}

TEST(RoomVersionTest, UnknownVersions) {
  EXPECT_EQ(FindRoomVersion(""), nullptr);
  EXPECT_EQ(FindRoomVersion("13"), nullptr);
  EXPECT_EQ(FindRoomVersion("01"), nullptr);
  EXPECT_EQ(FindRoomVersion("org.matrix.msc1234"), nullptr);
}

TEST(RoomVersionTest, DefaultIs12) {
  // Spec: rooms/_index.md.
  EXPECT_EQ(DefaultRoomVersion().id, "12");
  EXPECT_EQ(ImplicitRoomVersion().id, "1");
}

TEST(RoomVersionTest, Differences) {
  auto r = [](const char* id) { return *FindRoomVersion(id); };
  EXPECT_EQ(r("1").state_res, StateResAlgorithm::kV1);
  EXPECT_EQ(r("2").state_res, StateResAlgorithm::kV2);
  EXPECT_EQ(r("11").state_res, StateResAlgorithm::kV2);
  EXPECT_EQ(r("12").state_res, StateResAlgorithm::kV21);

  EXPECT_EQ(r("2").event_id_format, EventIdFormat::kV1ServerAssigned);
  EXPECT_EQ(r("3").event_id_format, EventIdFormat::kV3Base64);
  EXPECT_EQ(r("4").event_id_format, EventIdFormat::kV4UrlSafe);
  EXPECT_TRUE(r("2").event_id_in_event);
  EXPECT_FALSE(r("3").event_id_in_event);

  EXPECT_TRUE(r("2").special_case_redaction_auth);
  EXPECT_FALSE(r("3").special_case_redaction_auth);
  EXPECT_TRUE(r("5").special_case_aliases_auth);
  EXPECT_FALSE(r("6").special_case_aliases_auth);
  EXPECT_FALSE(r("5").limit_notifications_power_levels);
  EXPECT_TRUE(r("6").limit_notifications_power_levels);
  EXPECT_EQ(r("5").json, JsonStrictness::kLenient);
  EXPECT_EQ(r("6").json, JsonStrictness::kStrict);

  EXPECT_FALSE(r("6").knocking);
  EXPECT_TRUE(r("7").knocking);
  EXPECT_FALSE(r("7").restricted_join_rule);
  EXPECT_TRUE(r("8").restricted_join_rule);
  EXPECT_FALSE(r("9").knock_restricted_join_rule);
  EXPECT_TRUE(r("10").knock_restricted_join_rule);
  EXPECT_FALSE(r("9").integer_power_levels);
  EXPECT_TRUE(r("10").integer_power_levels);

  EXPECT_FALSE(r("10").use_room_create_sender);
  EXPECT_TRUE(r("10").require_create_creator);
  EXPECT_TRUE(r("11").use_room_create_sender);
  EXPECT_FALSE(r("11").require_create_creator);
  EXPECT_TRUE(r("11").redacts_in_content);
  EXPECT_FALSE(r("11").privileged_creators);
  EXPECT_TRUE(r("12").privileged_creators);
  EXPECT_TRUE(r("12").room_id_is_create_event_id);

  EXPECT_EQ(r("1").redaction, RedactionRules::kV1);
  EXPECT_EQ(r("5").redaction, RedactionRules::kV1);
  EXPECT_EQ(r("6").redaction, RedactionRules::kV6);
  EXPECT_EQ(r("7").redaction, RedactionRules::kV6);
  EXPECT_EQ(r("8").redaction, RedactionRules::kV8);
  EXPECT_EQ(r("9").redaction, RedactionRules::kV9);
  EXPECT_EQ(r("10").redaction, RedactionRules::kV9);
  EXPECT_EQ(r("11").redaction, RedactionRules::kV11);
  EXPECT_EQ(r("12").redaction, RedactionRules::kV11);
}

}  // namespace
}  // namespace myelin
