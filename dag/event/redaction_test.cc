#include "dag/event/redaction.h"

#include <string>

#include "boost/json.hpp"
#include "gtest/gtest.h"

namespace myelin::event {
namespace {

using R = RedactionRules;

// Every top-level key any rule set knows, plus junk.
boost::json::object FullEvent(std::string_view type, std::string_view content) {
  boost::json::object e = boost::json::parse(R"({
    "event_id": "$e:x", "room_id": "!r:x", "sender": "@s:x",
    "state_key": "", "hashes": {"sha256": "h"}, "signatures": {"x": {}},
    "depth": 1, "prev_events": [], "prev_state": [], "auth_events": [],
    "origin": "x", "origin_server_ts": 1, "membership": "join",
    "unsigned": {"age": 1}, "redacts": "$z", "junk": true})").as_object();
  e["type"] = type;
  e["content"] = boost::json::parse(content);
  return e;
}

std::string RedactedContent(std::string_view type, std::string_view content,
                            R rules) {
  return boost::json::serialize(
      Redact(FullEvent(type, content), rules).at("content"));
}

TEST(RedactionTest, TopLevelKeys) {
  boost::json::object v1 = Redact(FullEvent("m.room.message", "{}"), R::kV1);
  for (const char* k : {"prev_state", "origin", "membership", "event_id",
                        "hashes", "signatures", "depth", "state_key"}) {
    EXPECT_TRUE(v1.contains(k)) << k;
  }
  for (const char* k : {"unsigned", "redacts", "junk"}) {
    EXPECT_FALSE(v1.contains(k)) << k;
  }
  boost::json::object v11 = Redact(FullEvent("m.room.message", "{}"), R::kV11);
  for (const char* k : {"prev_state", "origin", "membership", "unsigned",
                        "redacts", "junk"}) {
    EXPECT_FALSE(v11.contains(k)) << k;
  }
  EXPECT_EQ(v11.size(), 12u);  // The v11 allow-list, all present here.
}

struct ContentCase {
  std::string type;
  std::string content;
  R rules;
  std::string expected;
};

TEST(RedactionTest, ContentPerRuleSet) {
  const std::string member =
      R"({"membership":"join","join_authorised_via_users_server":"@a:x",)"
      R"("displayname":"A","third_party_invite":{"signed":{"k":1},"display_name":"d"}})";
  const std::string create = R"({"creator":"@a:x","room_version":"1","m.federate":true})";
  const std::string join_rules = R"({"join_rule":"restricted","allow":[],"x":1})";
  const std::string power =
      R"({"ban":50,"events":{},"events_default":0,"invite":0,"kick":50,)"
      R"("redact":50,"state_default":50,"users":{},"users_default":0,"notifications":{}})";
  const ContentCase cases[] = {
      {"m.room.message", R"({"body":"hi"})", R::kV1, "{}"},
      {"m.room.message", R"({"body":"hi"})", R::kV11, "{}"},
      {"m.room.member", member, R::kV1, R"({"membership":"join"})"},
      {"m.room.member", member, R::kV8, R"({"membership":"join"})"},
      {"m.room.member", member, R::kV9,
       R"({"membership":"join","join_authorised_via_users_server":"@a:x"})"},
      {"m.room.member", member, R::kV11,
       R"({"membership":"join","join_authorised_via_users_server":"@a:x",)"
       R"("third_party_invite":{"signed":{"k":1}}})"},
      {"m.room.create", create, R::kV1, R"({"creator":"@a:x"})"},
      {"m.room.create", create, R::kV9, R"({"creator":"@a:x"})"},
      {"m.room.create", create, R::kV11, create},
      {"m.room.join_rules", join_rules, R::kV6, R"({"join_rule":"restricted"})"},
      {"m.room.join_rules", join_rules, R::kV8,
       R"({"join_rule":"restricted","allow":[]})"},
      {"m.room.join_rules", join_rules, R::kV11,
       R"({"join_rule":"restricted","allow":[]})"},
      {"m.room.power_levels", power, R::kV1,
       R"({"ban":50,"events":{},"events_default":0,"kick":50,"redact":50,)"
       R"("state_default":50,"users":{},"users_default":0})"},
      {"m.room.power_levels", power, R::kV11,
       R"({"ban":50,"events":{},"events_default":0,"kick":50,"redact":50,)"
       R"("state_default":50,"users":{},"users_default":0,"invite":0})"},
      {"m.room.aliases", R"({"aliases":["#a:x"]})", R::kV1,
       R"({"aliases":["#a:x"]})"},
      {"m.room.aliases", R"({"aliases":["#a:x"]})", R::kV6, "{}"},
      {"m.room.history_visibility", R"({"history_visibility":"shared","x":1})",
       R::kV9, R"({"history_visibility":"shared"})"},
      {"m.room.redaction", R"({"redacts":"$z","reason":"r"})", R::kV9, "{}"},
      {"m.room.redaction", R"({"redacts":"$z","reason":"r"})", R::kV11,
       R"({"redacts":"$z"})"},
      // Malformed content is treated as empty.
      {"m.room.member", R"("not an object")", R::kV1, "{}"},
  };
  for (const ContentCase& c : cases) {
    EXPECT_EQ(boost::json::parse(RedactedContent(c.type, c.content, c.rules)),
              boost::json::parse(c.expected))
        << c.type << " rules=" << static_cast<int>(c.rules);
  }
}

TEST(RedactionTest, IsIdempotent) {
  for (R rules : {R::kV1, R::kV6, R::kV8, R::kV9, R::kV11}) {
    boost::json::object once =
        Redact(FullEvent("m.room.member", R"({"membership":"ban","x":1})"), rules);
    EXPECT_EQ(Redact(once, rules), once);
  }
}

}  // namespace
}  // namespace myelin::event
