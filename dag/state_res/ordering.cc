// State resolution v2 orderings: reverse topological power ordering (Kahn's
// algorithm with a heap) and mainline ordering (memoised mainline depths).
// Spec: rooms/fragments/v2-state-res "Definitions".
#include <algorithm>
#include <queue>
#include <tuple>

#include "dag/state_res/v2_resolver.h"

namespace myelin::state_res_internal {

const PowerLevels* V2Resolver::ParsedPowerLevels(uint32_t pl_event) {
  absl::StatusOr<std::shared_ptr<const PowerLevels>> pl =
      pl_cache_.Get(graph_.pdu(pl_event), rules_);
  // The cache owns the entry for the resolver's lifetime.
  return pl.ok() ? pl->get() : nullptr;
}

int64_t V2Resolver::SenderPowerLevel(uint32_t event) {
  const Pdu& e = graph_.pdu(event);
  std::optional<uint32_t> create = CreateEventOf(event);
  bool is_creator = false;
  if (create) {
    for (const std::string& c : RoomCreators(graph_.pdu(*create), rules_)) {
      is_creator |= c == e.sender();
    }
    // v12: the create event's sender is a creator by definition.
    is_creator |= rules_.privileged_creators && *create == event;
  }
  // Since v12 creators have infinite power.
  if (rules_.privileged_creators && is_creator) return kInfinitePowerLevel;
  if (auto pl = AuthEventOfType(event, event_type::kPowerLevels)) {
    const PowerLevels* levels = ParsedPowerLevels(*pl);
    return levels == nullptr ? 0 : levels->UserLevel(e.sender());
  }
  // No power levels: the creator has 100 (m.room.power_levels defaults).
  return is_creator && *create != event ? 100 : 0;
}

std::vector<uint32_t> V2Resolver::ReverseTopologicalPowerSort(
    std::span<const uint32_t> full) {
  absl::flat_hash_set<uint32_t> in_full(full.begin(), full.end());
  // Nodes: power events in the full conflicted set and, walking their
  // auth_events, every event of the full conflicted set reached that way.
  absl::flat_hash_map<uint32_t, uint32_t> out_degree;  // auth edges in graph
  absl::flat_hash_map<uint32_t, std::vector<uint32_t>> parents;
  std::vector<uint32_t> stack;
  for (uint32_t i : full) {
    if (IsPowerEvent(graph_.pdu(i)) && out_degree.try_emplace(i, 0).second) {
      stack.push_back(i);
    }
  }
  while (!stack.empty()) {
    const uint32_t i = stack.back();
    stack.pop_back();
    for (uint32_t j : graph_.AuthEdges(i)) {
      if (!in_full.contains(j)) continue;
      ++out_degree[i];
      parents[j].push_back(i);
      if (out_degree.try_emplace(j, 0).second) stack.push_back(j);
    }
  }
  // x < y: greater sender power, then smaller origin_server_ts, then
  // smaller event id. The heap pops the smallest.
  using Key = std::tuple<int64_t, int64_t, const std::string*, uint32_t>;
  auto key_of = [&](uint32_t i) {
    const Pdu& e = graph_.pdu(i);
    return Key(-SenderPowerLevel(i), e.origin_server_ts(), &e.event_id(), i);
  };
  auto greater = [](const Key& a, const Key& b) {
    if (std::get<0>(a) != std::get<0>(b))
      return std::get<0>(a) > std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b))
      return std::get<1>(a) > std::get<1>(b);
    return *std::get<2>(a) > *std::get<2>(b);
  };
  std::priority_queue<Key, std::vector<Key>, decltype(greater)> ready(greater);
  for (const auto& [i, degree] : out_degree) {
    if (degree == 0) ready.push(key_of(i));
  }
  std::vector<uint32_t> sorted;
  sorted.reserve(out_degree.size());
  while (!ready.empty()) {
    const uint32_t i = std::get<3>(ready.top());
    ready.pop();
    sorted.push_back(i);
    auto it = parents.find(i);
    if (it == parents.end()) continue;
    for (uint32_t p : it->second) {
      if (--out_degree[p] == 0) ready.push(key_of(p));
    }
  }
  return sorted;
}

std::vector<uint32_t> V2Resolver::MainlineSort(
    std::vector<uint32_t> events, std::optional<uint32_t> power_levels) {
  // Mainline depth: the current power levels event is deepest; the oldest
  // is 1; 0 stands for "no mainline event found" (position ∞ in the spec),
  // which sorts first, like an older power levels event.
  std::vector<uint32_t> mainline;
  for (std::optional<uint32_t> p = power_levels;
       p && mainline.size() <= graph_.size();
       p = AuthEventOfType(*p, event_type::kPowerLevels)) {
    mainline.push_back(*p);
  }
  absl::flat_hash_map<uint32_t, int64_t> depth;
  for (size_t k = 0; k < mainline.size(); ++k) {
    depth.try_emplace(mainline[mainline.size() - 1 - k],
                      static_cast<int64_t>(k + 1));
  }
  auto depth_of = [&](uint32_t event) {
    std::vector<uint32_t> path;
    int64_t d = 0;
    std::optional<uint32_t> cur = event;
    while (cur && path.size() <= graph_.size()) {
      if (auto it = depth.find(*cur); it != depth.end()) {
        d = it->second;
        break;
      }
      path.push_back(*cur);
      cur = AuthEventOfType(*cur, event_type::kPowerLevels);
    }
    for (uint32_t x : path) depth.try_emplace(x, d);
    return d;
  };
  struct Keyed {
    int64_t depth;
    int64_t ts;
    const std::string* id;
    uint32_t event;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(events.size());
  for (uint32_t i : events) {
    const Pdu& e = graph_.pdu(i);
    keyed.push_back(Keyed{depth_of(i), e.origin_server_ts(), &e.event_id(), i});
  }
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.depth != b.depth) return a.depth < b.depth;
    if (a.ts != b.ts) return a.ts < b.ts;
    return *a.id < *b.id;
  });
  for (size_t k = 0; k < keyed.size(); ++k) events[k] = keyed[k].event;
  return events;
}

}  // namespace myelin::state_res_internal
