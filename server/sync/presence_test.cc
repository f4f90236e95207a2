#include "server/sync/presence.h"

#include "gtest/gtest.h"

namespace myelin::sync {
namespace {

TEST(PresenceTrackerTest, StatesTransitionsAndIdle) {
  FakeClock clock;
  PresenceTracker presence(&clock, true);
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOffline);
  EXPECT_FALSE(presence.Get("@a:x").last_active_ago_millis.has_value());
  presence.Set("@a:x", PresenceState::kOnline, std::string("coding"));
  PresenceView online = presence.Get("@a:x");
  EXPECT_EQ(online.state, PresenceState::kOnline);
  EXPECT_EQ(online.status_msg, "coding");
  EXPECT_TRUE(online.currently_active);
  clock.Advance(PresenceTracker::kCurrentlyActiveMillis + 1);
  EXPECT_FALSE(presence.Get("@a:x").currently_active);
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOnline);
  clock.Advance(PresenceTracker::kIdleMillis);
  // Idle too long: unavailable, and it says how long ago.
  PresenceView idle = presence.Get("@a:x");
  EXPECT_EQ(idle.state, PresenceState::kUnavailable);
  EXPECT_GT(*idle.last_active_ago_millis, PresenceTracker::kIdleMillis);
  presence.Touch("@a:x");
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOnline);
  presence.Set("@a:x", PresenceState::kOffline, std::string(""));
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOffline);
  EXPECT_FALSE(presence.Get("@a:x").status_msg.has_value());
}

TEST(PresenceTrackerTest, StreamMovesOnVisibleChangesOnly) {
  FakeClock clock;
  PresenceTracker presence(&clock, true);
  presence.Set("@a:x", PresenceState::kOnline, std::nullopt);
  uint64_t after_set = presence.Position();
  presence.Touch("@a:x");  // Already active: no visible change.
  EXPECT_EQ(presence.Position(), after_set);
  clock.Advance(PresenceTracker::kCurrentlyActiveMillis + 1);
  presence.Touch("@a:x");  // Becomes currently_active again.
  EXPECT_GT(presence.Position(), after_set);
}

TEST(PresenceTrackerTest, DisabledMeansEveryoneOffline) {
  FakeClock clock;
  PresenceTracker presence(&clock, false);
  presence.Set("@a:x", PresenceState::kOnline, std::string("hi"));
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOffline);
  EXPECT_EQ(presence.Position(), 0u);
}

TEST(PresenceTrackerTest, ParsesStates) {
  EXPECT_EQ(*ParsePresenceState("unavailable"), PresenceState::kUnavailable);
  EXPECT_FALSE(ParsePresenceState("busy").ok());
  EXPECT_EQ(PresenceStateName(PresenceState::kOnline), "online");
}

}  // namespace
}  // namespace myelin::sync

namespace myelin::sync {
namespace {

TEST(PresenceTrackerTest, SweepingTurnsIdleUsersUnavailableOnTheStream) {
  FakeClock clock;
  PresenceTracker presence(&clock, /*enabled=*/true);
  std::vector<std::string> told;
  presence.SetListener([&](std::string_view user) { told.emplace_back(user); });
  presence.Set("@a:x", PresenceState::kOnline, std::nullopt);
  presence.Set("@b:x", PresenceState::kOnline, std::nullopt);
  told.clear();
  EXPECT_EQ(presence.SweepIdle(), 0u);
  clock.Advance(PresenceTracker::kIdleMillis / 2);
  presence.Touch("@b:x");
  told.clear();
  uint64_t before = presence.Position();
  clock.Advance(PresenceTracker::kIdleMillis / 2 + 1);
  EXPECT_EQ(presence.SweepIdle(), 1u);
  EXPECT_EQ(told, std::vector<std::string>{"@a:x"});
  auto changed = presence.ChangedSince(before);
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].first, "@a:x");
  EXPECT_EQ(changed[0].second.state, PresenceState::kUnavailable);
  EXPECT_EQ(presence.SweepIdle(), 0u);  // Once.
  // Activity brings the user back online.
  presence.Touch("@a:x");
  EXPECT_EQ(presence.Get("@a:x").state, PresenceState::kOnline);
}

}  // namespace
}  // namespace myelin::sync
