#include "dag/pdu/power_levels.h"

#include "gtest/gtest.h"

namespace myelin {
namespace {

const RoomVersionRules& V(const char* id) { return *FindRoomVersion(id); }

absl::StatusOr<PowerLevels> Parse(const char* text, const char* version) {
  return ParsePowerLevels(boost::json::parse(text).as_object(), V(version));
}

TEST(PowerLevelsTest, Defaults) {
  absl::StatusOr<PowerLevels> pl = Parse("{}", "10");
  ASSERT_TRUE(pl.ok());
  EXPECT_EQ(pl->Get(PowerLevelField::kBan), 50);
  EXPECT_EQ(pl->Get(PowerLevelField::kKick), 50);
  EXPECT_EQ(pl->Get(PowerLevelField::kRedact), 50);
  EXPECT_EQ(pl->Get(PowerLevelField::kInvite), 0);
  EXPECT_EQ(pl->EventLevel("m.room.topic", true), 50);
  EXPECT_EQ(pl->EventLevel("m.room.message", false), 0);
  EXPECT_EQ(pl->UserLevel("@a:x"), 0);
  EXPECT_FALSE(pl->Raw(PowerLevelField::kBan).has_value());
}

TEST(PowerLevelsTest, ExplicitValues) {
  absl::StatusOr<PowerLevels> pl = Parse(
      R"({"ban": 10, "users_default": 5, "users": {"@a:x": 100},
          "events": {"m.room.topic": 20}, "notifications": {"room": 30}})",
      "10");
  ASSERT_TRUE(pl.ok());
  EXPECT_EQ(pl->Get(PowerLevelField::kBan), 10);
  EXPECT_EQ(pl->UserLevel("@a:x"), 100);
  EXPECT_EQ(pl->UserLevel("@b:x"), 5);
  EXPECT_EQ(pl->EventLevel("m.room.topic", true), 20);
  EXPECT_EQ(pl->notifications.at("room"), 30);
}

struct ValueCase {
  const char* json;
  const char* version;
  std::optional<int64_t> want;
};

TEST(PowerLevelsTest, StringyAndFloatyBeforeV10) {
  const ValueCase cases[] = {
      {"100", "1", 100},
      {"\"100\"", "1", 100},
      {"\" +0100 \"", "9", 100},
      {"\"-5\"", "9", -5},
      {"50.57", "9", 50},
      {"5.114698E4", "1", 51146},
      {"\"1.5\"", "9", {}},
      {"\"+-1\"", "9", {}},
      {"\"\"", "9", {}},
      {"true", "9", {}},
      {"null", "9", {}},
      {"\"100\"", "10", {}},
      {"50.0", "10", {}},
      {"-3", "10", -3},
      {"18446744073709551615", "10", {}},
  };
  for (const ValueCase& c : cases) {
    absl::StatusOr<int64_t> got =
        ParsePowerLevelValue(boost::json::parse(c.json), V(c.version));
    if (c.want) {
      ASSERT_TRUE(got.ok()) << c.json << " v" << c.version;
      EXPECT_EQ(*got, *c.want) << c.json;
    } else {
      EXPECT_FALSE(got.ok()) << c.json << " v" << c.version;
    }
  }
}

TEST(PowerLevelsTest, RejectsBadShapes) {
  EXPECT_FALSE(Parse(R"({"users": []})", "10").ok());
  EXPECT_FALSE(Parse(R"({"users": {"@a:x": "1"}})", "10").ok());
  EXPECT_TRUE(Parse(R"({"users": {"@a:x": "1"}})", "9").ok());
  EXPECT_FALSE(Parse(R"({"events": {"m.x": null}})", "1").ok());
  EXPECT_FALSE(Parse(R"({"kick": "x"})", "1").ok());
}

}  // namespace
}  // namespace myelin
