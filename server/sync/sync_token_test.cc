#include "server/sync/sync_token.h"

#include "gtest/gtest.h"

namespace myelin::sync {
namespace {

TEST(SyncTokenTest, RoundTripsEveryStream) {
  SyncToken token{12, 3, 45, 6, 7, 890, 11};
  EXPECT_EQ(FormatSyncToken(token), "s12_3_45_6_7_890_11");
  absl::StatusOr<SyncToken> parsed = ParseSyncToken(FormatSyncToken(token));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, token);
}

TEST(SyncTokenTest, ABareEventPositionIsATimelineToken) {
  absl::StatusOr<SyncToken> parsed = ParseSyncToken("s41");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, (SyncToken{41, 0, 0, 0, 0, 0, 0}));
}

// Tokens handed out before the device-list stream existed.
TEST(SyncTokenTest, ASixPartTokenHasNoDeviceListPosition) {
  absl::StatusOr<SyncToken> parsed = ParseSyncToken("s12_3_45_6_7_890");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, (SyncToken{12, 3, 45, 6, 7, 890, 0}));
}

TEST(SyncTokenTest, RejectsWhatItDidNotWrite) {
  for (const char* bad :
       {"", "s", "x1_2_3_4_5_6", "s1_2", "s1_2_3_4_5_6_7_8", "s1__3_4_5_6",
        "s1_2_3_4_5_6_", "s1_2_3_4_5_6_x",
        "s-1_2_3_4_5_6", "s1_2_3_4_5_x", "s99999999999999999999999_0_0_0_0_0",
        "t1_2"}) {
    EXPECT_FALSE(ParseSyncToken(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace myelin::sync
