// Resolution of two forks of a large room: the semantics the benchmark
// relies on, checked for every state resolution algorithm.
#include "dag/state_res/large_room.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace myelin {
namespace {

TEST(LargeRoomTest, BansAndAdminTopicWin) {
  for (const char* v : {"1", "2", "10", "11", "12"}) {
    const LargeRoom room(*FindRoomVersion(v), 300, 50);
    const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
    absl::StatusOr<StateMap> got =
        ResolveState(room.rules(), sets, room.Callbacks());
    ASSERT_TRUE(got.ok()) << v;
    for (int i = 0; i < 50; ++i) {
      EXPECT_EQ(got->at(StateKey("m.room.member", LargeRoom::UserId(i))),
                absl::StrCat("$ban", i))
          << v;
      EXPECT_EQ(got->at(StateKey("m.room.member", LargeRoom::UserId(50 + i))),
                absl::StrCat("$leave", 50 + i))
          << v;
    }
    EXPECT_EQ(got->at(StateKey("m.room.power_levels", "")), "$pl-a") << v;
    EXPECT_EQ(got->size(), room.fork_a().size()) << v;
    // Both topics pass auth under $pl-a (the mod has 50). v1 keeps the
    // deepest; v2 applies them in mainline order, where the mod's topic
    // (based on the older $pl) comes first and alice's overrides it.
    EXPECT_EQ(got->at(StateKey("m.room.topic", "")),
              room.rules().state_res == StateResAlgorithm::kV1 ? "$topic-b"
                                                               : "$topic-a")
        << v;
  }
}

TEST(LargeRoomTest, SameResultForGivenAuthChains) {
  const LargeRoom room(*FindRoomVersion("10"), 300, 50);
  const std::vector<StateMap> sets = {room.fork_a(), room.fork_b()};
  const std::vector<absl::flat_hash_set<std::string>> chains = {
      room.AuthChainOf(room.fork_a()), room.AuthChainOf(room.fork_b())};
  absl::StatusOr<StateMap> computed =
      ResolveState(room.rules(), sets, room.Callbacks());
  absl::StatusOr<StateMap> given =
      ResolveStateWithAuthChains(room.rules(), sets, chains, room.Callbacks());
  ASSERT_TRUE(computed.ok());
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(*computed, *given);
}

}  // namespace
}  // namespace myelin
