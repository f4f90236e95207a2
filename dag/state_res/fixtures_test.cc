// Conformance: ruma's state resolution fixtures must resolve to exactly the
// snapshot state, iteratively, in batches and atomically; the MSC4297 cases
// resolve two contrived state maps under v2 (room v11) and v2.1 (room v12).
#include "absl/strings/str_cat.h"
#include "dag/state_res/fixture_room.h"
#include "gtest/gtest.h"

namespace myelin {
namespace {

struct BatchCase {
  const char* snapshot;
  std::vector<std::string> files;
};

const BatchCase kBatchCases[] = {
    {"minimal_private_chat", {"bootstrap-private-chat.json"}},
    {"minimal_public_chat", {"bootstrap-public-chat.json"}},
    {"origin_server_ts_tiebreak",
     {"bootstrap-private-chat.json", "origin-server-ts-tiebreak.json"}},
    {"ban_vs_power_levels",
     {"bootstrap-public-chat.json", "ban-vs-power-levels-alice.json",
      "ban-vs-power-levels-bob.json"}},
    {"topic_vs_power_levels",
     {"bootstrap-public-chat.json", "topic-vs-power-levels-alice.json",
      "topic-vs-power-levels-bob.json"}},
    {"power_levels_admin_vs_mod",
     {"bootstrap-public-chat.json", "power-levels-admin-vs-mod-alice.json",
      "power-levels-admin-vs-mod-bob.json"}},
    {"topic_vs_ban",
     {"bootstrap-public-chat.json", "topic-vs-ban-common.json",
      "topic-vs-ban-alice.json", "topic-vs-ban-bob.json"}},
    {"join_rules_vs_join",
     {"bootstrap-public-chat.json", "join-rules-vs-join-common.json",
      "join-rules-vs-join-alice.json", "join-rules-vs-join-ella.json"}},
    {"concurrent_joins",
     {"bootstrap-public-chat.json", "concurrent-joins-charlie.json",
      "concurrent-joins-ella.json"}},
};

class BatchFixtureTest : public testing::TestWithParam<BatchCase> {};

TEST_P(BatchFixtureTest, ResolvesToSnapshotInAllOrders) {
  const BatchCase& c = GetParam();
  absl::StatusOr<std::vector<std::string>> want = LoadSnapshot(c.snapshot);
  ASSERT_TRUE(want.ok()) << want.status();
  absl::StatusOr<FixtureRoom> room = FixtureRoom::Load(c.files);
  ASSERT_TRUE(room.ok()) << room.status();

  absl::StatusOr<StateMap> iterative = room->ResolveIteratively();
  ASSERT_TRUE(iterative.ok()) << iterative.status();
  EXPECT_EQ(Render(*iterative), *want) << "iterative";

  absl::StatusOr<StateMap> batched = room->ResolveBatched();
  ASSERT_TRUE(batched.ok()) << batched.status();
  EXPECT_EQ(Render(*batched), *want) << "batched";

  // How Myelin itself calls it: auth chains computed from the state sets.
  absl::StatusOr<StateMap> computed = room->ResolveBatched(true);
  ASSERT_TRUE(computed.ok()) << computed.status();
  EXPECT_EQ(Render(*computed), *want) << "batched, computed auth chains";

  absl::StatusOr<StateMap> atomic = room->ResolveAtomically();
  ASSERT_TRUE(atomic.ok()) << atomic.status();
  EXPECT_EQ(Render(*atomic), *want) << "atomic";

  for (unsigned seed = 1; seed <= 5; ++seed) {
    absl::StatusOr<StateMap> shuffled = room->ResolveAtomically(seed);
    ASSERT_TRUE(shuffled.ok()) << shuffled.status();
    EXPECT_EQ(Render(*shuffled), *want) << "atomic, shuffle seed " << seed;
  }
}

INSTANTIATE_TEST_SUITE_P(Ruma, BatchFixtureTest, testing::ValuesIn(kBatchCases),
                         [](const testing::TestParamInfo<BatchCase>& info) {
                           return std::string(info.param.snapshot);
                         });

struct StateMapCase {
  const char* snapshot;
  const char* pdus;
  std::vector<std::string> states;
};

const StateMapCase kStateMapCases[] = {
    {"msc4297_problem_a_state_res_v2_0",
     "MSC4297-problem-A/pdus-v11.json",
     {"MSC4297-problem-A/state-bob.json",
      "MSC4297-problem-A/state-charlie.json"}},
    {"msc4297_problem_a_state_res_v2_1",
     "MSC4297-problem-A/pdus-v12.json",
     {"MSC4297-problem-A/state-bob.json",
      "MSC4297-problem-A/state-charlie.json"}},
    {"msc4297_problem_b_state_res_v2_0",
     "MSC4297-problem-B/pdus-v11.json",
     {"MSC4297-problem-B/state-eve.json", "MSC4297-problem-B/state-zara.json"}},
    {"msc4297_problem_b_state_res_v2_1",
     "MSC4297-problem-B/pdus-v12.json",
     {"MSC4297-problem-B/state-eve.json", "MSC4297-problem-B/state-zara.json"}},
};

class StateMapFixtureTest : public testing::TestWithParam<StateMapCase> {};

TEST_P(StateMapFixtureTest, ResolvesToSnapshotInBothOrders) {
  const StateMapCase& c = GetParam();
  absl::StatusOr<std::vector<std::string>> want = LoadSnapshot(c.snapshot);
  ASSERT_TRUE(want.ok()) << want.status();
  absl::StatusOr<FixtureRoom> room = FixtureRoom::Load({c.pdus});
  ASSERT_TRUE(room.ok()) << room.status();
  std::vector<StateMap> sets;
  for (const std::string& file : c.states) {
    absl::StatusOr<std::string> text =
        ReadStateResFixture(absl::StrCat("fixtures/", file));
    ASSERT_TRUE(text.ok()) << text.status();
    std::vector<std::string> ids;
    const boost::json::value list = boost::json::parse(*text);
    for (const auto& v : list.as_array()) {
      ids.emplace_back(v.as_string());
    }
    absl::StatusOr<StateMap> state = room->StateOf(ids);
    ASSERT_TRUE(state.ok()) << state.status();
    sets.push_back(*state);
  }
  for (int reversed = 0; reversed < 2; ++reversed) {
    absl::StatusOr<StateMap> got =
        ResolveState(room->rules(), sets, room->callbacks());
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(Render(*got), *want) << (reversed ? "reversed" : "given order");
    std::reverse(sets.begin(), sets.end());
  }
}

INSTANTIATE_TEST_SUITE_P(Ruma, StateMapFixtureTest,
                         testing::ValuesIn(kStateMapCases),
                         [](const testing::TestParamInfo<StateMapCase>& info) {
                           return std::string(info.param.snapshot);
                         });

}  // namespace
}  // namespace myelin
