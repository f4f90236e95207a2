#include "dag/state_res/state_res.h"

#include "absl/status/status.h"
#include "dag/state_res/state_res_v1.h"
#include "dag/state_res/v2_resolver.h"

namespace myelin {
namespace {

using state_res_internal::IsPowerEvent;
using state_res_internal::PartialState;
using state_res_internal::Separated;
using state_res_internal::V2Resolver;

// Spec: rooms/fragments/v2-state-res "Algorithm" (and rooms/v12.md for the
// v2.1 changes to steps 2 and the full conflicted set).
StateMap ResolveV2(
    const RoomVersionRules& rules, std::span<const StateMap> sets,
    const std::span<const absl::flat_hash_set<std::string>>* chains,
    const StateResCallbacks& callbacks) {
  Separated separated = state_res_internal::SeparateV2(sets);
  if (separated.conflicted.empty()) return std::move(separated.unconflicted);

  V2Resolver resolver(rules, callbacks);
  EventGraph& graph = resolver.graph();
  const std::vector<uint32_t> full =
      resolver.FullConflictedSet(sets, separated, chains);

  // Steps 1 and 2: power events (and their auth chains within the full
  // conflicted set), from the unconflicted state (v2) or nothing (v2.1).
  const std::vector<uint32_t> power =
      resolver.ReverseTopologicalPowerSort(full);
  const bool from_empty = rules.state_res == StateResAlgorithm::kV21;
  PartialState partial(from_empty ? nullptr : &separated.unconflicted);
  resolver.IterativeAuthChecks(power, partial);

  // Steps 3 and 4: everything else, in mainline order.
  absl::flat_hash_set<uint32_t> picked(power.begin(), power.end());
  std::vector<uint32_t> rest;
  for (uint32_t i : full) {
    if (!picked.contains(i)) rest.push_back(i);
  }
  std::optional<uint32_t> pl =
      partial.Get(graph, StateKey(event_type::kPowerLevels, ""));
  resolver.IterativeAuthChecks(resolver.MainlineSort(std::move(rest), pl),
                               partial);

  // Step 5: the unconflicted state map wins.
  StateMap result = std::move(separated.unconflicted);
  for (const auto& [key, i] : partial.overlay()) {
    result.try_emplace(key, graph.pdu(i).event_id());
  }
  return result;
}

absl::StatusOr<StateMap> Resolve(
    const RoomVersionRules& rules, std::span<const StateMap> sets,
    const std::span<const absl::flat_hash_set<std::string>>* chains,
    const StateResCallbacks& callbacks) {
  if (!callbacks.fetch) {
    return absl::InvalidArgumentError(
        "state resolution needs a fetch callback");
  }
  if (sets.empty()) return StateMap();
  switch (rules.state_res) {
    case StateResAlgorithm::kV1:
      return state_res_internal::ResolveV1(rules, sets, callbacks);
    case StateResAlgorithm::kV2:
    case StateResAlgorithm::kV21:
      return ResolveV2(rules, sets, chains, callbacks);
  }
  return absl::InternalError("unknown state resolution algorithm");
}

}  // namespace

absl::StatusOr<StateMap> ResolveState(const RoomVersionRules& rules,
                                      std::span<const StateMap> state_sets,
                                      const StateResCallbacks& callbacks) {
  return Resolve(rules, state_sets, nullptr, callbacks);
}

absl::StatusOr<StateMap> ResolveStateWithAuthChains(
    const RoomVersionRules& rules, std::span<const StateMap> state_sets,
    std::span<const absl::flat_hash_set<std::string>> auth_chain_sets,
    const StateResCallbacks& callbacks) {
  return Resolve(rules, state_sets, &auth_chain_sets, callbacks);
}

}  // namespace myelin
