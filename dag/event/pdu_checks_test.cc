#include "dag/event/pdu_checks.h"

#include <functional>
#include <string>

#include "boost/json.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::event {
namespace {

constexpr PduFormat kV11{EventIdFormat::kV4UrlSafe, JsonStrictness::kStrict,
                         false};
constexpr PduFormat kV12{EventIdFormat::kV4UrlSafe, JsonStrictness::kStrict,
                         true};
constexpr PduFormat kV1{EventIdFormat::kV1ServerAssigned,
                        JsonStrictness::kLenient, false};

const char kId[] = "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg";

boost::json::object V11Pdu() {
  boost::json::object pdu = boost::json::parse(R"({
    "type": "m.room.message", "room_id": "!r:x", "sender": "@s:x",
    "content": {"body": "hi"}, "depth": 2, "origin_server_ts": 5,
    "hashes": {"sha256": "h"}, "signatures": {}})").as_object();
  pdu["prev_events"] = boost::json::array{kId};
  pdu["auth_events"] = boost::json::array{kId, kId};
  return pdu;
}

boost::json::object V1Pdu() {
  boost::json::object pdu = V11Pdu();
  pdu["event_id"] = "$abc:x";
  pdu["prev_events"] = boost::json::parse(R"([["$p:x", {"sha256": "h"}]])");
  pdu["auth_events"] = boost::json::array{};
  return pdu;
}

struct Mutation {
  std::string name;
  std::function<void(boost::json::object&)> apply;
  std::string_view errcode;  // "" when still valid.
};

TEST(CheckPduTest, V11Mutations) {
  ASSERT_TRUE(CheckPdu(V11Pdu(), kV11).ok()) << CheckPdu(V11Pdu(), kV11);
  const Mutation cases[] = {
      {"state_key ok", [](auto& p) { p["state_key"] = ""; }, ""},
      {"no type", [](auto& p) { p.erase("type"); }, errcode::kBadJson},
      {"type not string", [](auto& p) { p["type"] = 1; }, errcode::kBadJson},
      {"type 256", [](auto& p) { p["type"] = std::string(256, 't'); }, errcode::kBadJson},
      {"type 255", [](auto& p) { p["type"] = std::string(255, 't'); }, ""},
      {"state_key 256", [](auto& p) { p["state_key"] = std::string(256, 'k'); }, errcode::kBadJson},
      {"state_key null", [](auto& p) { p["state_key"] = nullptr; }, errcode::kBadJson},
      {"bad sender", [](auto& p) { p["sender"] = "s:x"; }, errcode::kBadJson},
      {"historical sender", [](auto& p) { p["sender"] = "@S p:x"; }, ""},
      {"long sender", [](auto& p) { p["sender"] = "@" + std::string(254, 's') + ":x"; }, errcode::kBadJson},
      {"no room_id", [](auto& p) { p.erase("room_id"); }, errcode::kBadJson},
      {"bad room_id", [](auto& p) { p["room_id"] = "r:x"; }, errcode::kBadJson},
      {"content array", [](auto& p) { p["content"] = boost::json::array{}; }, errcode::kBadJson},
      {"no hashes", [](auto& p) { p.erase("hashes"); }, errcode::kBadJson},
      {"no signatures", [](auto& p) { p.erase("signatures"); }, errcode::kBadJson},
      {"negative depth", [](auto& p) { p["depth"] = -1; }, errcode::kBadJson},
      {"float depth", [](auto& p) { p["depth"] = 1.5; }, errcode::kBadJson},
      {"huge depth", [](auto& p) { p["depth"] = uint64_t{1} << 63; }, errcode::kBadJson},
      {"depth over 2^53 (strict JSON)", [](auto& p) { p["depth"] = int64_t{1} << 53; }, errcode::kBadJson},
      {"ts string", [](auto& p) { p["origin_server_ts"] = "5"; }, errcode::kBadJson},
      {"prev pairs", [](auto& p) { p["prev_events"] = boost::json::parse(R"([["$p:x",{}]])"); }, errcode::kBadJson},
      {"prev v1 id", [](auto& p) { p["prev_events"] = boost::json::array{"$p:x"}; }, errcode::kBadJson},
      {"prev 21", [](auto& p) { p["prev_events"] = boost::json::array(21, kId); }, errcode::kBadJson},
      {"prev 20", [](auto& p) { p["prev_events"] = boost::json::array(20, kId); }, ""},
      {"auth 11", [](auto& p) { p["auth_events"] = boost::json::array(11, kId); }, errcode::kBadJson},
      {"auth missing", [](auto& p) { p.erase("auth_events"); }, errcode::kBadJson},
      {"float in content", [](auto& p) { p["content"].as_object()["f"] = 0.5; }, errcode::kBadJson},
      {"too large", [](auto& p) { p["content"].as_object()["body"] = std::string(70000, 'x'); }, errcode::kTooLarge},
  };
  for (const Mutation& m : cases) {
    boost::json::object pdu = V11Pdu();
    m.apply(pdu);
    EXPECT_EQ(ErrcodeOf(CheckPdu(pdu, kV11)), m.errcode) << m.name;
  }
}

TEST(CheckPduTest, V1Shapes) {
  EXPECT_TRUE(CheckPdu(V1Pdu(), kV1).ok()) << CheckPdu(V1Pdu(), kV1);
  boost::json::object no_id = V1Pdu();
  no_id.erase("event_id");
  EXPECT_FALSE(CheckPdu(no_id, kV1).ok());
  boost::json::object plain_list = V1Pdu();
  plain_list["prev_events"] = boost::json::array{"$p:x"};
  EXPECT_FALSE(CheckPdu(plain_list, kV1).ok());
  boost::json::object lenient_numbers = V1Pdu();
  lenient_numbers["content"].as_object()["n"] = int64_t{1} << 60;
  EXPECT_TRUE(CheckPdu(lenient_numbers, kV1).ok());
}

TEST(CheckPduTest, V12CreateHasNoRoomId) {
  boost::json::object create = V11Pdu();
  create["type"] = "m.room.create";
  create["state_key"] = "";
  create.erase("room_id");
  EXPECT_TRUE(CheckPdu(create, kV12).ok());
  EXPECT_FALSE(CheckPdu(create, kV11).ok());
  create["room_id"] = "!r:x";
  EXPECT_FALSE(CheckPdu(create, kV12).ok());
  // Other v12 events carry the hash-form room id.
  boost::json::object msg = V11Pdu();
  msg["room_id"] = "!P5-6WTYQ_woy6f4nmleE0XqxjtZcyKGza5_gDN-KAdM";
  EXPECT_TRUE(CheckPdu(msg, kV12).ok());
  EXPECT_FALSE(CheckPdu(msg, kV11).ok());
  EXPECT_FALSE(CheckPdu(V11Pdu(), kV12).ok());  // "!r:x" in a v12 room
}

TEST(CheckPduTest, FormatFromRoomVersionTable) {
  const RoomVersionRules* v12 = FindRoomVersion("12");
  ASSERT_NE(v12, nullptr);
  const PduFormat f = PduFormatOf(*v12);
  EXPECT_EQ(f.event_id_format, EventIdFormat::kV4UrlSafe);
  EXPECT_EQ(f.json, JsonStrictness::kStrict);
  EXPECT_TRUE(f.create_has_no_room_id);
  const PduFormat f1 = PduFormatOf(*FindRoomVersion("1"));
  EXPECT_EQ(f1.event_id_format, EventIdFormat::kV1ServerAssigned);
  EXPECT_EQ(f1.json, JsonStrictness::kLenient);
}

}  // namespace
}  // namespace myelin::event
