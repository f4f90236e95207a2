#include "storage/backup/room_key.h"

#include <string>

#include "boost/json/parse.hpp"
#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::storage {
namespace {

RoomKey Key(bool verified, int64_t index, int64_t forwarded) {
  return RoomKey{index, forwarded, verified, R"({"ciphertext":"c"})"};
}

// Spec: client-server-api, "Server-side key backups": verified beats
// unverified; then the lower first_message_index; then the lower
// forwarded_count; a full tie keeps the existing key.
TEST(RoomKeyTest, ReplacementRules) {
  struct Case {
    RoomKey existing, candidate;
    bool replace;
    const char* why;
  };
  const Case kCases[] = {
      {Key(false, 5, 5), Key(true, 9, 9), true, "verified beats unverified"},
      {Key(true, 5, 5), Key(false, 0, 0), false, "unverified never beats verified"},
      {Key(false, 5, 5), Key(false, 4, 9), true, "lower index wins"},
      {Key(true, 5, 0), Key(true, 4, 9), true, "lower index wins, both verified"},
      {Key(false, 5, 5), Key(false, 6, 0), false, "higher index loses"},
      {Key(false, 5, 5), Key(false, 5, 4), true, "same index, fewer forwards"},
      {Key(true, 5, 5), Key(true, 5, 6), false, "same index, more forwards"},
      {Key(false, 5, 5), Key(false, 5, 5), false, "tie keeps the existing key"},
      {Key(true, 0, 0), Key(true, 0, 0), false, "tie keeps the existing key"},
  };
  for (const Case& c : kCases) {
    EXPECT_EQ(ShouldReplace(c.existing, c.candidate), c.replace) << c.why;
  }
}

TEST(RoomKeyTest, ParseEncodeDecode) {
  absl::StatusOr<RoomKey> key = ParseRoomKey(boost::json::parse(
      R"({"session_data":{"mac":"m","ephemeral":"e","ciphertext":"c"},
          "is_verified":true,"forwarded_count":2,"first_message_index":7,
          "extra":"ignored"})"));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->first_message_index, 7);
  EXPECT_EQ(key->forwarded_count, 2);
  EXPECT_TRUE(key->is_verified);
  EXPECT_EQ(key->session_data, R"({"ciphertext":"c","ephemeral":"e","mac":"m"})");
  std::string stored = EncodeRoomKey(*key);
  EXPECT_EQ(stored,
            R"({"first_message_index":7,"forwarded_count":2,"is_verified":true,)"
            R"("session_data":{"ciphertext":"c","ephemeral":"e","mac":"m"}})");
  absl::StatusOr<RoomKey> decoded = DecodeRoomKey(stored);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(EncodeRoomKey(*decoded), stored);
}

TEST(RoomKeyTest, ParseRejectsMalformedKeys) {
  const char* kBad[] = {
      R"([])",
      R"({"forwarded_count":0,"is_verified":false,"session_data":{}})",
      R"({"first_message_index":-1,"forwarded_count":0,"is_verified":false,"session_data":{}})",
      R"({"first_message_index":1.5,"forwarded_count":0,"is_verified":false,"session_data":{}})",
      R"({"first_message_index":"1","forwarded_count":0,"is_verified":false,"session_data":{}})",
      R"({"first_message_index":1,"forwarded_count":9007199254740992,"is_verified":false,"session_data":{}})",
      R"({"first_message_index":1,"forwarded_count":0,"is_verified":"no","session_data":{}})",
      R"({"first_message_index":1,"forwarded_count":0,"is_verified":false,"session_data":"x"})",
      R"({"first_message_index":1,"forwarded_count":0,"is_verified":false})",
  };
  for (const char* bad : kBad) {
    EXPECT_EQ(ErrcodeOf(ParseRoomKey(boost::json::parse(bad)).status()),
              "M_BAD_JSON")
        << bad;
  }
  // The largest counter canonical JSON allows is fine.
  EXPECT_TRUE(ParseRoomKey(boost::json::parse(
                  R"({"first_message_index":9007199254740991,"forwarded_count":0,)"
                  R"("is_verified":false,"session_data":{}})"))
                  .ok());
}

TEST(RoomKeyTest, DecodeRejectsGarbage) {
  EXPECT_TRUE(absl::IsDataLoss(DecodeRoomKey("not json").status()));
  EXPECT_TRUE(absl::IsDataLoss(DecodeRoomKey(R"({"is_verified":1})").status()));
}

}  // namespace
}  // namespace myelin::storage
