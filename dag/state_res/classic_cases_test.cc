// The classic state resolution v2 scenarios that Synapse
// (tests/state/test_v2.py) and ruma (tests/state_res.rs) both use: a room
// of alice (admin), bob, charlie and zara, then forks described as chains
// of prev_events. Each event's state is resolved from its prev events'
// states, its auth events are selected from that state, and the state at
// END must differ from the state at START exactly by the expected events.
// The scenarios are re-expressed here as data; the harness is Myelin's.
#include <deque>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"
#include "dag/pdu/pdu_builder.h"
#include "dag/state_res/state_res.h"
#include "gtest/gtest.h"

namespace myelin {
namespace {

constexpr std::string_view kAlice = "@alice:example.com";
constexpr std::string_view kBob = "@bob:example.com";
constexpr std::string_view kCharlie = "@charlie:example.com";
constexpr std::string_view kElla = "@ella:example.com";
constexpr std::string_view kZara = "@zara:example.com";

struct FakeEvent {
  std::string node;
  std::string_view sender;
  std::string type;
  std::optional<std::string> state_key;
  std::string content;
};

FakeEvent Member(std::string node, std::string_view sender,
                 std::string_view target, std::string_view membership) {
  return {std::move(node), sender, "m.room.member", std::string(target),
          absl::StrCat(R"({"membership": ")", AV(membership), R"("})")};
}
FakeEvent State(std::string node, std::string_view sender, std::string type,
                std::string content) {
  return {std::move(node), sender, std::move(type), "", std::move(content)};
}
FakeEvent Message(std::string node, std::string_view sender) {
  return {std::move(node), sender, "m.room.message", std::nullopt, "{}"};
}

std::vector<FakeEvent> InitialEvents() {
  return {
      State("CREATE", kAlice, "m.room.create",
            R"({"creator": "@alice:example.com"})"),
      Member("IMA", kAlice, kAlice, "join"),
      State("IPOWER", kAlice, "m.room.power_levels",
            R"({"users": {"@alice:example.com": 100}})"),
      State("IJR", kAlice, "m.room.join_rules", R"({"join_rule": "public"})"),
      Member("IMB", kBob, kBob, "join"),
      Member("IMC", kCharlie, kCharlie, "join"),
      Member("IMZ", kZara, kZara, "join"),
      Message("START", kZara),
      Message("END", kZara),
  };
}

std::string Id(const std::string& node) {
  return absl::StrCat("$", node, ":example.com");
}

// Resolves the scenario under `rules` and returns the END state entries
// that are expected or differ from START, as node names.
std::set<std::string> RunScenario(
    const RoomVersionRules& rules, const std::vector<FakeEvent>& events,
    const std::vector<std::vector<std::string>>& edges) {
  std::vector<FakeEvent> all = InitialEvents();
  all.insert(all.end(), events.begin(), events.end());
  std::map<std::string, const FakeEvent*> by_node;
  std::map<std::string, int64_t> ts;
  for (const FakeEvent& e : all) {
    by_node[e.node] = &e;
    ts[e.node] = static_cast<int64_t>(ts.size());
  }
  std::map<std::string, std::set<std::string>> prevs;
  std::vector<std::vector<std::string>> chains = {
      {"START", "IMZ", "IMC", "IMB", "IJR", "IPOWER", "IMA", "CREATE"}};
  chains.insert(chains.end(), edges.begin(), edges.end());
  for (const auto& chain : chains) {
    for (size_t k = 0; k + 1 < chain.size(); ++k) {
      prevs[chain[k]].insert(chain[k + 1]);
    }
  }
  // Parents before children.
  std::vector<std::string> order;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& n) {
    if (!seen.insert(n).second) return;
    for (const std::string& p : prevs[n]) visit(p);
    order.push_back(n);
  };
  for (const FakeEvent& e : all) visit(e.node);

  std::deque<Pdu> pdus;
  absl::flat_hash_map<std::string, const Pdu*> by_id;
  StateResCallbacks cb;
  cb.fetch = [&](std::string_view id) -> const Pdu* {
    auto it = by_id.find(AV(id));
    return it == by_id.end() ? nullptr : it->second;
  };
  std::map<std::string, StateMap> state_after;
  for (const std::string& node : order) {
    const FakeEvent& fe = *by_node.at(node);
    std::vector<StateMap> prev_states;
    std::vector<std::string> prev_ids;
    for (const std::string& p : prevs[node]) {
      prev_states.push_back(state_after.at(p));
      prev_ids.push_back(Id(p));
    }
    StateMap before;
    if (prev_states.size() == 1) {
      before = prev_states[0];
    } else if (prev_states.size() > 1) {
      absl::StatusOr<StateMap> resolved = ResolveState(rules, prev_states, cb);
      EXPECT_TRUE(resolved.ok()) << resolved.status();
      before = *resolved;
    }
    PduBuilder b(Id(node), fe.type, fe.sender);
    b.Room("!room:example.com").Content(fe.content).Ts(ts[node]);
    if (fe.state_key) b.StateKey(*fe.state_key);
    std::vector<std::string> auth;
    const boost::json::object content =
        boost::json::parse(fe.content).as_object();
    for (const StateKey& key : AuthEventsSelection(
             fe.type, fe.sender, fe.state_key, content, rules)) {
      if (auto it = before.find(key); it != before.end()) {
        auth.push_back(it->second);
      }
    }
    b.Auth(auth).Prev(prev_ids);
    pdus.push_back(b.Build(rules));
    by_id[pdus.back().event_id()] = &pdus.back();
    StateMap after = before;
    if (fe.state_key) after[StateKey(fe.type, *fe.state_key)] = Id(node);
    state_after[node] = std::move(after);
  }
  std::set<std::string> out;
  const StateMap& start = state_after.at("START");
  for (const auto& [key, id] : state_after.at("END")) {
    auto it = start.find(key);
    if (it == start.end() || it->second != id) {
      out.insert(id.substr(1, id.find(':') - 1));
    }
  }
  return out;
}

struct ClassicCase {
  const char* name;
  std::vector<FakeEvent> events;
  std::vector<std::vector<std::string>> edges;
  // Events in the END state that are new or changed since START (every
  // expected event of these scenarios is new, so this is Synapse's check).
  std::set<std::string> changed;
};

std::vector<ClassicCase> Cases() {
  const std::string pl_ab50 =
      R"({"users": {"@alice:example.com": 100, "@bob:example.com": 50}})";
  const std::string pl_ab0 =
      R"({"users": {"@alice:example.com": 100, "@bob:example.com": 0}})";
  return {
      {"ban_vs_power_levels",
       {State("PA", kAlice, "m.room.power_levels", pl_ab50),
        Member("MA", kAlice, kAlice, "join"), Member("MB", kAlice, kBob, "ban"),
        State("PB", kBob, "m.room.power_levels", pl_ab50)},
       {{"END", "MB", "MA", "PA", "START"}, {"END", "PA", "PB"}},
       {"PA", "MA", "MB"}},
      {"topic_basic",
       {State("T1", kAlice, "m.room.topic", "{}"),
        State("PA1", kAlice, "m.room.power_levels", pl_ab50),
        State("T2", kAlice, "m.room.topic", "{}"),
        State("PA2", kAlice, "m.room.power_levels", pl_ab0),
        State("PB", kBob, "m.room.power_levels", pl_ab50),
        State("T3", kBob, "m.room.topic", "{}")},
       {{"END", "PA2", "T2", "PA1", "T1", "START"}, {"END", "T3", "PB", "PA1"}},
       {"PA2", "T2"}},
      {"topic_reset",
       {State("T1", kAlice, "m.room.topic", "{}"),
        State("PA", kAlice, "m.room.power_levels", pl_ab50),
        State("T2", kBob, "m.room.topic", "{}"),
        Member("MB", kAlice, kBob, "ban")},
       {{"END", "MB", "T2", "PA", "T1", "START"}, {"END", "T1"}},
       {"T1", "MB", "PA"}},
      {"join_rule_evasion",
       {State("JR", kAlice, "m.room.join_rules", R"({"join_rule": "private"})"),
        Member("ME", kElla, kElla, "join")},
       {{"END", "JR", "START"}, {"END", "ME", "START"}},
       {"JR"}},
      {"offtopic_power_levels",
       {State("PA", kAlice, "m.room.power_levels", pl_ab50),
        State("PB", kBob, "m.room.power_levels",
              R"({"users": {"@alice:example.com": 100, "@bob:example.com": 50,
                            "@charlie:example.com": 50}})"),
        State("PC", kCharlie, "m.room.power_levels",
              R"({"users": {"@alice:example.com": 100, "@bob:example.com": 50,
                            "@charlie:example.com": 0}})")},
       {{"END", "PC", "PB", "PA", "START"}, {"END", "PA"}},
       {"PC"}},
      {"topic_setting",
       {State("T1", kAlice, "m.room.topic", "{}"),
        State("PA1", kAlice, "m.room.power_levels", pl_ab50),
        State("T2", kAlice, "m.room.topic", "{}"),
        State("PA2", kAlice, "m.room.power_levels", pl_ab0),
        State("PB", kBob, "m.room.power_levels", pl_ab50),
        State("T3", kBob, "m.room.topic", "{}"),
        State("MZ1", kZara, "m.room.topic", "{}"),
        State("T4", kAlice, "m.room.topic", "{}")},
       {{"END", "T4", "MZ1", "PA2", "T2", "PA1", "T1", "START"},
        {"END", "MZ1", "T3", "PB", "PA1"}},
       {"T4", "PA2"}},
  };
}

TEST(ClassicCasesTest, ResolveAsSynapseAndRuma) {
  for (const char* version : {"2", "6", "10", "11"}) {
    for (const ClassicCase& c : Cases()) {
      EXPECT_EQ(RunScenario(*FindRoomVersion(version), c.events, c.edges),
                c.changed)
          << c.name << " v" << version;
    }
  }
}

}  // namespace
}  // namespace myelin
