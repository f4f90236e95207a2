#include "server/filter/filter.h"

#include "dag/base/matrix_error.h"
#include "dag/json/parse.h"
#include "gtest/gtest.h"

namespace myelin::filter {
namespace {

absl::StatusOr<Filter> Parse(std::string_view text) {
  absl::StatusOr<boost::json::object> json = json::ParseJsonObject(text);
  if (!json.ok()) return json.status();
  return ParseFilter(*json);
}

TEST(FilterTest, ReadsEveryPart) {
  absl::StatusOr<Filter> filter = Parse(R"({
    "event_fields": ["type", "content.body"],
    "event_format": "federation",
    "presence": {"not_types": ["*"]},
    "account_data": {"types": ["m.push_rules"]},
    "room": {
      "rooms": ["!a:x"], "not_rooms": ["!b:x"], "include_leave": true,
      "state": {"lazy_load_members": true},
      "timeline": {"limit": 20, "not_senders": ["@spam:x"]},
      "ephemeral": {"types": ["m.typing"]},
      "account_data": {"limit": 1}
    }})");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->event_fields->size(), 2u);
  EXPECT_EQ(filter->event_format, EventFormat::kFederation);
  EXPECT_EQ(filter->presence.not_types, std::vector<std::string>{"*"});
  EXPECT_EQ(filter->account_data.types->front(), "m.push_rules");
  EXPECT_EQ(filter->room.rooms, std::vector<std::string>{"!a:x"});
  EXPECT_EQ(filter->room.not_rooms, std::vector<std::string>{"!b:x"});
  EXPECT_TRUE(filter->room.include_leave);
  EXPECT_TRUE(filter->room.state.lazy_load_members);
  EXPECT_EQ(filter->room.timeline.limit, 20);
  EXPECT_EQ(filter->room.timeline.not_senders.front(), "@spam:x");
  EXPECT_EQ(filter->room.ephemeral.types->front(), "m.typing");
  EXPECT_EQ(filter->room.account_data.limit, 1);
}

TEST(FilterTest, EmptyFilterHasDefaults) {
  absl::StatusOr<Filter> filter = Parse("{}");
  ASSERT_TRUE(filter.ok());
  EXPECT_EQ(filter->event_format, EventFormat::kClient);
  EXPECT_FALSE(filter->event_fields.has_value());
  EXPECT_FALSE(filter->room.include_leave);
  EXPECT_FALSE(filter->room.rooms.has_value());
}

TEST(FilterTest, ErrorsNameTheField) {
  struct Case {
    const char* text;
    const char* errcode;
    const char* mentions;
  };
  const Case cases[] = {
      {R"({"event_fields":"type"})", "M_BAD_JSON", "event_fields"},
      {R"({"event_format":"xml"})", "M_INVALID_PARAM", "event_format"},
      {R"({"room":[]})", "M_BAD_JSON", "room"},
      {R"({"room":{"timeline":{"limit":"ten"}}})", "M_BAD_JSON", "room.timeline"},
      {R"({"room":{"rooms":"!a:x"}})", "M_BAD_JSON", "room.rooms"},
      {R"({"room":{"include_leave":1}})", "M_BAD_JSON", "include_leave"},
      {R"({"presence":{"senders":[1]}})", "M_BAD_JSON", "presence"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Filter> filter = Parse(c.text);
    ASSERT_FALSE(filter.ok()) << c.text;
    EXPECT_EQ(ErrcodeOf(filter.status()), c.errcode) << c.text;
    EXPECT_NE(std::string(filter.status().message()).find(c.mentions),
              std::string::npos)
        << c.text << ": " << filter.status().message();
  }
}

TEST(FilterTest, InlineFiltersStartWithABrace) {
  EXPECT_TRUE(IsInlineFilter(R"({"room":{}})"));
  EXPECT_FALSE(IsInlineFilter("12"));
  EXPECT_FALSE(IsInlineFilter(""));
}

}  // namespace
}  // namespace myelin::filter
