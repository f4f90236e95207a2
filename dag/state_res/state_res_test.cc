// Unit tests of the pieces of state resolution and of v1; the v2/v2.1
// conformance cases are in fixtures_test.cc.
#include "dag/state_res/state_res.h"

#include <deque>

#include "dag/pdu/pdu_builder.h"
#include "dag/state_res/event_graph.h"
#include "dag/state_res/v2_resolver.h"
#include "gtest/gtest.h"

namespace myelin {
namespace {

constexpr std::string_view kAlice = "@alice:a.org";
constexpr std::string_view kBob = "@bob:b.org";

// A room whose events are built in order; auth_events are given explicitly.
class Dag {
 public:
  explicit Dag(const char* version) : rules_(*FindRoomVersion(version)) {}

  const Pdu& Add(PduBuilder b) {
    pdus_.push_back(b.Build(rules_));
    by_id_[pdus_.back().event_id()] = &pdus_.back();
    return pdus_.back();
  }
  // A state event with auth events and depth.
  const Pdu& State(std::string_view id, std::string_view type,
                   std::string_view sender, std::string_view key,
                   std::string_view content, std::vector<std::string> auth,
                   int64_t depth = 1, int64_t ts = 0) {
    PduBuilder b(id, type, sender);
    b.StateKey(key).Content(content).Auth(std::move(auth)).Depth(depth).Ts(ts);
    return Add(b);
  }
  // create, alice's join, power levels (alice 100), public join rules.
  void Bootstrap() {
    State("$create", "m.room.create", kAlice, "",
          R"({"creator": "@alice:a.org"})", {});
    State("$alice", "m.room.member", kAlice, kAlice,
          R"({"membership": "join"})", {"$create"}, 2);
    State("$pl", "m.room.power_levels", kAlice, "",
          R"({"users": {"@alice:a.org": 100}})", {"$create", "$alice"}, 3);
    State("$jr", "m.room.join_rules", kAlice, "", R"({"join_rule": "public"})",
          {"$create", "$alice", "$pl"}, 4);
    State("$bob", "m.room.member", kBob, kBob, R"({"membership": "join"})",
          {"$create", "$pl", "$jr"}, 5);
  }

  const RoomVersionRules& rules() const { return rules_; }
  StateResCallbacks Callbacks() const {
    StateResCallbacks cb;
    cb.fetch = [this](std::string_view id) -> const Pdu* {
      auto it = by_id_.find(std::string(id));
      return it == by_id_.end() ? nullptr : it->second;
    };
    return cb;
  }
  StateMap StateOf(const std::vector<std::string>& ids) const {
    StateMap m;
    for (const std::string& id : ids) {
      const Pdu* p = by_id_.at(id);
      m[StateKey(p->type(), *p->state_key())] = id;
    }
    return m;
  }

 private:
  const RoomVersionRules& rules_;
  std::deque<Pdu> pdus_;
  absl::flat_hash_map<std::string, const Pdu*> by_id_;
};

const std::vector<std::string> kBase = {"$create", "$alice", "$pl", "$jr",
                                        "$bob"};

std::vector<std::string> With(std::vector<std::string> ids,
                              std::vector<std::string> more) {
  ids.insert(ids.end(), more.begin(), more.end());
  return ids;
}

TEST(EventGraphTest, AuthChainUnionSkipsUnknownAndDedups) {
  Dag dag("10");
  dag.Bootstrap();
  dag.State("$x", "m.room.topic", kAlice, "", "{}",
            {"$create", "$pl", "$alice", "$missing"});
  StateResCallbacks cb = dag.Callbacks();
  EventGraph graph(cb);
  ASSERT_FALSE(graph.Index("$missing"));
  const uint32_t x = *graph.Index("$x");
  const uint32_t bob = *graph.Index("$bob");
  std::vector<uint32_t> roots = {x, bob};
  std::vector<std::string> chain;
  for (uint32_t i : graph.AuthChainUnion(roots)) {
    chain.push_back(graph.pdu(i).event_id());
  }
  std::sort(chain.begin(), chain.end());
  EXPECT_EQ(chain,
            (std::vector<std::string>{"$alice", "$create", "$jr", "$pl"}));
  std::vector<uint32_t> create = {*graph.Index("$create")};
  EXPECT_TRUE(graph.AuthChainUnion(create).empty());
}

TEST(SeparateTest, KeysMissingFromASetAreConflictedInV2) {
  StateMap a = {{{"t", ""}, "$1"}, {{"u", ""}, "$2"}, {{"v", ""}, "$3"}};
  StateMap b = {{{"t", ""}, "$1"}, {{"u", ""}, "$4"}};
  std::vector<StateMap> sets = {a, b};
  state_res_internal::Separated s = state_res_internal::SeparateV2(sets);
  EXPECT_EQ(s.unconflicted, (StateMap{{{"t", ""}, "$1"}}));
  EXPECT_EQ(s.conflicted, (std::vector<std::string>{"$2", "$3", "$4"}));
}

TEST(PowerEventTest, Definition) {
  Dag dag("10");
  dag.Bootstrap();
  auto is_power = [&](std::string_view type, std::string_view sender,
                      std::string_view key, std::string_view content) {
    PduBuilder b("$e", type, sender);
    b.StateKey(key).Content(content);
    return state_res_internal::IsPowerEvent(b.Build(dag.rules()));
  };
  EXPECT_TRUE(is_power("m.room.power_levels", kAlice, "", "{}"));
  EXPECT_TRUE(is_power("m.room.join_rules", kAlice, "", "{}"));
  EXPECT_TRUE(is_power("m.room.create", kAlice, "", "{}"));
  EXPECT_FALSE(is_power("m.room.topic", kAlice, "", "{}"));
  EXPECT_TRUE(
      is_power("m.room.member", kAlice, kBob, R"({"membership": "ban"})"));
  EXPECT_TRUE(
      is_power("m.room.member", kAlice, kBob, R"({"membership": "leave"})"));
  EXPECT_FALSE(
      is_power("m.room.member", kBob, kBob, R"({"membership": "leave"})"));
  EXPECT_FALSE(
      is_power("m.room.member", kAlice, kBob, R"({"membership": "invite"})"));
}

TEST(ResolveV2Test, NoConflictIsUnion) {
  Dag dag("10");
  dag.Bootstrap();
  std::vector<StateMap> sets = {dag.StateOf(kBase), dag.StateOf(kBase)};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, dag.StateOf(kBase));
}

TEST(ResolveV2Test, BanBeatsTopicChange) {
  for (const char* v : {"2", "10", "11", "12"}) {
    Dag dag(v);
    if (dag.rules().room_id_is_create_event_id) continue;  // needs v12 ids
    dag.Bootstrap();
    dag.State("$pl2", "m.room.power_levels", kAlice, "",
              R"({"users": {"@alice:a.org": 100, "@bob:b.org": 50}})",
              {"$create", "$alice", "$pl"}, 6, 6);
    dag.State("$ban", "m.room.member", kAlice, kBob, R"({"membership": "ban"})",
              {"$create", "$alice", "$pl2", "$bob"}, 7, 7);
    dag.State("$topic", "m.room.topic", kBob, "", R"({"topic": "x"})",
              {"$create", "$bob", "$pl2"}, 7, 8);
    std::vector<StateMap> sets = {dag.StateOf(With(kBase, {"$pl2", "$ban"})),
                                  dag.StateOf(With(kBase, {"$pl2", "$topic"}))};
    absl::StatusOr<StateMap> got =
        ResolveState(dag.rules(), sets, dag.Callbacks());
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->at(StateKey("m.room.member", kBob)), "$ban") << v;
    EXPECT_FALSE(got->contains(StateKey("m.room.topic", ""))) << v;
  }
}

TEST(ResolveV2Test, TopicOnRejectedPowerLevelsLoses) {
  Dag dag("10");
  dag.Bootstrap();
  // Bob's topic relies on a power levels event that was rejected.
  dag.State("$pl-bad", "m.room.power_levels", kBob, "",
            R"({"users": {"@bob:b.org": 100}})", {"$create", "$bob", "$pl"});
  dag.State("$topic", "m.room.topic", kBob, "", "{}",
            {"$create", "$bob", "$pl-bad"});
  StateResCallbacks cb = dag.Callbacks();
  cb.is_rejected = [](std::string_view id) { return id == "$pl-bad"; };
  std::vector<StateMap> sets = {dag.StateOf(kBase),
                                dag.StateOf(With(kBase, {"$topic"}))};
  absl::StatusOr<StateMap> got = ResolveState(dag.rules(), sets, cb);
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->contains(StateKey("m.room.topic", "")));
}

TEST(ResolveV2Test, UnknownEventsAreDropped) {
  Dag dag("10");
  dag.Bootstrap();
  StateMap with_ghost = dag.StateOf(kBase);
  with_ghost[StateKey("m.room.topic", "")] = "$ghost";
  std::vector<StateMap> sets = {dag.StateOf(kBase), with_ghost};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, dag.StateOf(kBase));
}

TEST(ResolveV2Test, AuthCyclesDoNotHang) {
  for (const char* v : {"1", "10"}) {
    Dag dag(v);
    dag.Bootstrap();
    // Two power levels events citing each other (a malicious DAG).
    dag.State("$pl-x", "m.room.power_levels", kAlice, "", "{}",
              {"$create", "$alice", "$pl-y"}, 6);
    dag.State("$pl-y", "m.room.power_levels", kAlice, "", "{}",
              {"$create", "$alice", "$pl-x"}, 6);
    dag.State("$t", "m.room.topic", kAlice, "", "{}",
              {"$create", "$alice", "$pl-x"}, 7);
    std::vector<StateMap> sets = {dag.StateOf(With(kBase, {"$pl-x"})),
                                  dag.StateOf(With(kBase, {"$pl-y", "$t"}))};
    absl::StatusOr<StateMap> got =
        ResolveState(dag.rules(), sets, dag.Callbacks());
    ASSERT_TRUE(got.ok()) << v;
    EXPECT_TRUE(got->contains(StateKey("m.room.create", ""))) << v;
  }
}

TEST(ResolveTest, NeedsFetch) {
  std::vector<StateMap> sets = {StateMap()};
  EXPECT_FALSE(ResolveState(*FindRoomVersion("10"), sets, {}).ok());
}

TEST(ResolveV1Test, KeyMissingFromOneSetIsNotAConflict) {
  Dag dag("1");
  dag.Bootstrap();
  dag.State("$topic", "m.room.topic", kBob, "", "{}",
            {"$create", "$bob", "$pl"}, 6);
  std::vector<StateMap> sets = {dag.StateOf(kBase),
                                dag.StateOf(With(kBase, {"$topic"}))};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  // Bob could not have set the topic (state_default 50), but v1 does not
  // re-check unconflicted state.
  EXPECT_EQ(got->at(StateKey("m.room.topic", "")), "$topic");
}

TEST(ResolveV1Test, PowerLevelsConflictGoesUpInDepthWhileAllowed) {
  Dag dag("1");
  dag.Bootstrap();
  // pl2 (depth 6) makes bob 100; pl3 (depth 7, by bob) is allowed after it.
  dag.State("$pl2", "m.room.power_levels", kAlice, "",
            R"({"users": {"@alice:a.org": 100, "@bob:b.org": 100}})",
            {"$create", "$alice", "$pl"}, 6);
  dag.State("$pl3", "m.room.power_levels", kBob, "",
            R"({"users": {"@alice:a.org": 100, "@bob:b.org": 100},
                "ban": 10})",
            {"$create", "$bob", "$pl2"}, 7);
  std::vector<StateMap> sets = {dag.StateOf(With(kBase, {"$pl2"})),
                                dag.StateOf(With(kBase, {"$pl3"}))};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at(StateKey("m.room.power_levels", "")), "$pl3");
}

TEST(ResolveV1Test, PowerLevelsConflictStopsAtFirstDisallowed) {
  Dag dag("1");
  dag.Bootstrap();
  // pl-bob (depth 7) was sent by bob, who has no power in pl-alice (depth 6).
  dag.State("$pl-alice", "m.room.power_levels", kAlice, "",
            R"({"users": {"@alice:a.org": 100}, "ban": 20})",
            {"$create", "$alice", "$pl"}, 6);
  dag.State("$pl-bob", "m.room.power_levels", kBob, "",
            R"({"users": {"@alice:a.org": 0, "@bob:b.org": 100}})",
            {"$create", "$bob", "$pl"}, 7);
  std::vector<StateMap> sets = {dag.StateOf(With(kBase, {"$pl-alice"})),
                                dag.StateOf(With(kBase, {"$pl-bob"}))};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->at(StateKey("m.room.power_levels", "")), "$pl-alice");
}

TEST(ResolveV1Test, OtherConflictsPickHighestDepthThatPasses) {
  Dag dag("1");
  dag.Bootstrap();
  dag.State("$t1", "m.room.topic", kAlice, "", "{}",
            {"$create", "$alice", "$pl"}, 6);
  dag.State("$t2", "m.room.topic", kAlice, "", "{}",
            {"$create", "$alice", "$pl"}, 8);
  dag.State("$t3", "m.room.topic", kBob, "", "{}", {"$create", "$bob", "$pl"},
            9);
  std::vector<StateMap> sets = {dag.StateOf(With(kBase, {"$t1"})),
                                dag.StateOf(With(kBase, {"$t2"})),
                                dag.StateOf(With(kBase, {"$t3"}))};
  absl::StatusOr<StateMap> got =
      ResolveState(dag.rules(), sets, dag.Callbacks());
  ASSERT_TRUE(got.ok());
  // $t3 is deepest but bob may not set the topic.
  EXPECT_EQ(got->at(StateKey("m.room.topic", "")), "$t2");
}

}  // namespace
}  // namespace myelin
