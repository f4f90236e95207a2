// Internal to dag/state_res: the pieces of state resolution v2/v2.1.
// Spec: rooms/fragments/v2-state-res, rooms/v12.md.
#ifndef MYELIN_DAG_STATE_RES_V2_RESOLVER_H_
#define MYELIN_DAG_STATE_RES_V2_RESOLVER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dag/pdu/power_levels.h"
#include "dag/state_res/event_graph.h"
#include "dag/state_res/state_res.h"

namespace myelin::state_res_internal {

// The unconflicted state map and the conflicted state set.
struct Separated {
  StateMap unconflicted;
  std::vector<std::string> conflicted;  // distinct ids, sorted
};

// Spec: v2-state-res "Unconflicted state map and conflicted state set": a
// key is unconflicted when present in every set with the same value.
Separated SeparateV2(std::span<const StateMap> sets);

// Spec: v2-state-res "Power events".
bool IsPowerEvent(const Pdu& event);

// The partially resolved state: a borrowed base map (the unconflicted
// state in v2, nothing in v2.1) overlaid with the events applied by the
// iterative auth checks.
class PartialState {
 public:
  explicit PartialState(const StateMap* base) : base_(base) {}
  std::optional<uint32_t> Get(EventGraph& graph, const StateKey& key) const;
  void Set(StateKey key, uint32_t event) { overlay_[std::move(key)] = event; }
  const absl::flat_hash_map<StateKey, uint32_t>& overlay() const {
    return overlay_;
  }

 private:
  const StateMap* base_;
  absl::flat_hash_map<StateKey, uint32_t> overlay_;
};

class V2Resolver {
 public:
  V2Resolver(const RoomVersionRules& rules, const StateResCallbacks& cb)
      : rules_(rules), cb_(cb), graph_(cb) {}

  // Spec: "Full conflicted set" — conflicted set ∪ auth difference (∪ the
  // conflicted state subgraph since v12). `auth_chain_sets` may be null:
  // the chains are then computed from `sets`. Unknown events are dropped.
  std::vector<uint32_t> FullConflictedSet(
      std::span<const StateMap> sets, const Separated& separated,
      const std::span<const absl::flat_hash_set<std::string>>* chains);

  // Spec: "Reverse topological power ordering" of the power events in
  // `full` and their auth chains within `full` (algorithm step 1).
  std::vector<uint32_t> ReverseTopologicalPowerSort(
      std::span<const uint32_t> full);

  // Spec: "Mainline ordering" of `events` based on `power_levels`.
  std::vector<uint32_t> MainlineSort(std::vector<uint32_t> events,
                                     std::optional<uint32_t> power_levels);

  // Spec: "Iterative auth checks".
  void IterativeAuthChecks(std::span<const uint32_t> events,
                           PartialState& state);

  EventGraph& graph() { return graph_; }

 private:
  std::vector<uint32_t> AuthDifference(
      std::span<const StateMap> sets,
      const std::span<const absl::flat_hash_set<std::string>>* chains);
  std::vector<uint32_t> ConflictedSubgraph(
      std::span<const uint32_t> conflicted);
  // The m.room.power_levels / m.room.create event among the auth events
  // (v12: the create event named by the room id).
  std::optional<uint32_t> AuthEventOfType(uint32_t event,
                                          std::string_view type);
  std::optional<uint32_t> CreateEventOf(uint32_t event);
  // The sender's power level "looking at their auth_events" (memoised).
  int64_t SenderPowerLevel(uint32_t event);
  const PowerLevels* ParsedPowerLevels(uint32_t pl_event);

  const RoomVersionRules& rules_;
  const StateResCallbacks& cb_;
  EventGraph graph_;
  PowerLevelsCache pl_cache_;
};

}  // namespace myelin::state_res_internal

#endif  // MYELIN_DAG_STATE_RES_V2_RESOLVER_H_
