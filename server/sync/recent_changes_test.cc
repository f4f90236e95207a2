#include "server/sync/recent_changes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace myelin::sync {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(RecentChangesTest, ReportsEachScopeChangedAfterAPositionOnce) {
  RecentChanges changes(/*floor=*/10);
  changes.Record("!a", 11);
  changes.Record("!b", 12);
  changes.Record("!a", 13);
  EXPECT_THAT(*changes.ChangedSince(10), UnorderedElementsAre("!a", "!b"));
  EXPECT_THAT(*changes.ChangedSince(12), ElementsAre("!a"));
  EXPECT_TRUE(changes.ChangedSince(13)->empty());
}

TEST(RecentChangesTest, PositionsBelowTheFloorAreUnknown) {
  RecentChanges changes(/*floor=*/10);
  EXPECT_FALSE(changes.ChangedSince(9).has_value());
  EXPECT_TRUE(changes.ChangedSince(10).has_value());
}

TEST(RecentChangesTest, ForgettingOldChangesRaisesTheFloor) {
  RecentChanges changes(/*floor=*/0, /*capacity=*/2);
  changes.Record("!a", 1);
  changes.Record("!b", 2);
  changes.Record("!c", 3);
  EXPECT_FALSE(changes.ChangedSince(0).has_value());
  EXPECT_THAT(*changes.ChangedSince(1), UnorderedElementsAre("!b", "!c"));
}

}  // namespace
}  // namespace myelin::sync
