// State resolution v2/v2.1: separating the state sets, the full conflicted
// set and the iterative auth checks. Sorting lives in ordering.cc.
#include "dag/state_res/v2_resolver.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace myelin::state_res_internal {
namespace {

using KeyView = std::pair<std::string_view, std::string_view>;

// Marks indices in a vector sized to the graph.
class Marks {
 public:
  explicit Marks(size_t n) : marks_(n, 0) {}
  bool Has(uint32_t i) const { return i < marks_.size() && marks_[i]; }
  // Returns true when newly marked.
  bool Mark(uint32_t i) {
    if (i >= marks_.size()) marks_.resize(i + 1, 0);
    if (marks_[i]) return false;
    marks_[i] = 1;
    return true;
  }

 private:
  std::vector<uint8_t> marks_;
};

}  // namespace

Separated SeparateV2(std::span<const StateMap> sets) {
  struct Entry {
    const std::string* first;
    size_t count;
    bool conflict;
  };
  absl::flat_hash_map<KeyView, Entry> keys;
  for (const StateMap& set : sets) {
    for (const auto& [key, id] : set) {
      auto [it, inserted] = keys.try_emplace(KeyView(key.first, key.second),
                                             Entry{&id, 1, false});
      if (!inserted) {
        ++it->second.count;
        it->second.conflict |= *it->second.first != id;
      }
    }
  }
  Separated out;
  absl::flat_hash_set<std::string_view> conflicted;
  for (const auto& [key, entry] : keys) {
    if (entry.count == sets.size() && !entry.conflict) {
      out.unconflicted.emplace(StateKey(key.first, key.second), *entry.first);
    }
  }
  for (const StateMap& set : sets) {
    for (const auto& [key, id] : set) {
      const Entry& e = keys.at(KeyView(key.first, key.second));
      if (e.count != sets.size() || e.conflict) conflicted.insert(id);
    }
  }
  out.conflicted.assign(conflicted.begin(), conflicted.end());
  std::sort(out.conflicted.begin(), out.conflicted.end());
  return out;
}

bool IsPowerEvent(const Pdu& event) {
  if (event.IsState(event_type::kPowerLevels, "") ||
      event.IsState(event_type::kJoinRules, "") ||
      event.IsState(event_type::kCreate, "")) {
    return true;
  }
  if (!event.Is(event_type::kMember) || !event.state_key()) return false;
  std::optional<std::string_view> m = event.membership();
  return (m == "leave" || m == "ban") && *event.state_key() != event.sender();
}

std::optional<uint32_t> PartialState::Get(EventGraph& graph,
                                          const StateKey& key) const {
  if (auto it = overlay_.find(key); it != overlay_.end()) return it->second;
  if (base_ == nullptr) return std::nullopt;
  auto it = base_->find(key);
  if (it == base_->end()) return std::nullopt;
  return graph.Index(it->second);
}

std::vector<uint32_t> V2Resolver::AuthDifference(
    std::span<const StateMap> sets,
    const std::span<const absl::flat_hash_set<std::string>>* chains) {
  std::vector<std::vector<uint32_t>> per_set;
  if (chains != nullptr) {
    for (const auto& chain : *chains) {
      std::vector<uint32_t>& v = per_set.emplace_back();
      for (const std::string& id : chain) {
        if (auto i = graph_.Index(id)) v.push_back(*i);
      }
    }
  } else {
    for (const StateMap& set : sets) {
      std::vector<uint32_t> roots;
      roots.reserve(set.size());
      for (const auto& [key, id] : set) {
        if (auto i = graph_.Index(id)) roots.push_back(*i);
      }
      per_set.push_back(graph_.AuthChainUnion(roots));
    }
  }
  // ∪C_i − ∩C_i: events counted in some but not all chains.
  std::vector<uint32_t> counts(graph_.size(), 0);
  for (const std::vector<uint32_t>& chain : per_set) {
    for (uint32_t i : chain) ++counts[i];
  }
  std::vector<uint32_t> diff;
  for (uint32_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > 0 && counts[i] < per_set.size()) diff.push_back(i);
  }
  return diff;
}

std::vector<uint32_t> V2Resolver::ConflictedSubgraph(
    std::span<const uint32_t> conflicted) {
  // Spec: rooms/v12 "Conflicted state subgraph": the events on auth_events
  // paths between conflicted events. Forward: everything reachable from the
  // conflicted set; backward within that: everything that reaches it.
  Marks reach(graph_.size());
  std::vector<uint32_t> order(conflicted.begin(), conflicted.end());
  for (uint32_t c : conflicted) reach.Mark(c);
  for (size_t k = 0; k < order.size(); ++k) {
    for (uint32_t j : graph_.AuthEdges(order[k])) {
      if (reach.Mark(j)) order.push_back(j);
    }
  }
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> reverse;
  for (uint32_t x : order) {
    for (uint32_t j : graph_.AuthEdges(x)) reverse[j].push_back(x);
  }
  Marks back(graph_.size());
  std::vector<uint32_t> out(conflicted.begin(), conflicted.end());
  for (uint32_t c : conflicted) back.Mark(c);
  for (size_t k = 0; k < out.size(); ++k) {
    auto it = reverse.find(out[k]);
    if (it == reverse.end()) continue;
    for (uint32_t parent : it->second) {
      if (back.Mark(parent)) out.push_back(parent);
    }
  }
  return out;
}

std::vector<uint32_t> V2Resolver::FullConflictedSet(
    std::span<const StateMap> sets, const Separated& separated,
    const std::span<const absl::flat_hash_set<std::string>>* chains) {
  std::vector<uint32_t> conflicted;
  for (const std::string& id : separated.conflicted) {
    if (auto i = graph_.Index(id)) conflicted.push_back(*i);
  }
  std::vector<uint32_t> full;
  Marks in_full(graph_.size());
  auto add = [&](uint32_t i) {
    if (in_full.Mark(i)) full.push_back(i);
  };
  for (uint32_t i : conflicted) add(i);
  for (uint32_t i : AuthDifference(sets, chains)) add(i);
  // Since v12: the conflicted state subgraph.
  if (rules_.state_res == StateResAlgorithm::kV21) {
    for (uint32_t i : ConflictedSubgraph(conflicted)) add(i);
  }
  return full;
}

std::optional<uint32_t> V2Resolver::AuthEventOfType(uint32_t event,
                                                    std::string_view type) {
  for (uint32_t j : graph_.AuthEdges(event)) {
    if (graph_.pdu(j).IsState(type, "")) return j;
  }
  return std::nullopt;
}

std::optional<uint32_t> V2Resolver::CreateEventOf(uint32_t event) {
  const Pdu& e = graph_.pdu(event);
  if (e.Is(event_type::kCreate)) return event;
  if (rules_.room_id_is_create_event_id) {
    if (!e.room_id()) return std::nullopt;
    return graph_.Index(CreateEventIdFromRoomId(*e.room_id()));
  }
  return AuthEventOfType(event, event_type::kCreate);
}

void V2Resolver::IterativeAuthChecks(std::span<const uint32_t> events,
                                     PartialState& state) {
  for (uint32_t i : events) {
    const Pdu& event = graph_.pdu(i);
    if (!event.state_key()) continue;
    AuthState auth;
    // The event's own auth events, unless rejected (spec: "Rejected
    // events").
    for (uint32_t j : graph_.AuthEdges(i)) {
      const Pdu& a = graph_.pdu(j);
      if (graph_.rejected(j) || !a.state_key()) continue;
      auth[StateKey(a.type(), *a.state_key())] = &a;
    }
    // The partially resolved state takes precedence for the keys the
    // event's auth needs.
    for (StateKey& key : AuthEventsSelection(event, rules_)) {
      if (auto j = state.Get(graph_, key))
        auth[std::move(key)] = &graph_.pdu(*j);
    }
    // Since v12 the create event is implied by the room id.
    if (rules_.room_id_is_create_event_id && !event.Is(event_type::kCreate)) {
      if (auto c = CreateEventOf(i)) {
        auth[StateKey(event_type::kCreate, "")] = &graph_.pdu(*c);
      }
    }
    if (CheckAuth(event, rules_, auth, cb_.auth_hooks, &pl_cache_).ok()) {
      state.Set(StateKey(event.type(), *event.state_key()), i);
    }
  }
}

}  // namespace myelin::state_res_internal
