#include "server/sync/typing.h"

#include "gtest/gtest.h"

namespace myelin::sync {
namespace {

using Users = std::vector<std::string>;

TEST(TypingTrackerTest, StartStopAndTimeout) {
  FakeClock clock;
  TypingTracker typing(&clock);
  EXPECT_TRUE(typing.InRoom("!r").user_ids.empty());
  typing.Set("!r", "@b:x", true, 10'000);
  typing.Set("!r", "@a:x", true, 30'000);
  EXPECT_EQ(typing.InRoom("!r").user_ids, (Users{"@a:x", "@b:x"}));
  uint64_t before = typing.Position();
  clock.Advance(10'000);  // Bob's timeout passes.
  EXPECT_EQ(typing.InRoom("!r").user_ids, Users{"@a:x"});
  EXPECT_GT(typing.Position(), before);  // An expiry is a change too.
  typing.Set("!r", "@a:x", false, 0);
  EXPECT_TRUE(typing.InRoom("!r").user_ids.empty());
}

TEST(TypingTrackerTest, PositionsMoveOnlyOnChange) {
  FakeClock clock;
  TypingTracker typing(&clock);
  typing.Set("!r", "@a:x", true, 5'000);
  uint64_t after_start = typing.Position();
  EXPECT_EQ(typing.InRoom("!r").stream, after_start);
  typing.Set("!r", "@b:x", false, 0);  // Bob was not typing.
  EXPECT_EQ(typing.Position(), after_start);
  typing.Set("!other", "@c:x", true, 5'000);
  EXPECT_EQ(typing.InRoom("!r").stream, after_start);  // Per room.
  EXPECT_GT(typing.InRoom("!other").stream, after_start);
}

TEST(TypingTrackerTest, TimeoutsAreCapped) {
  FakeClock clock;
  TypingTracker typing(&clock);
  typing.Set("!r", "@a:x", true, 3'600'000);
  clock.Advance(TypingTracker::kMaxTimeoutMillis);
  EXPECT_TRUE(typing.InRoom("!r").user_ids.empty());
}

}  // namespace
}  // namespace myelin::sync
