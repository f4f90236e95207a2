// State resolution: v1 (room v1), v2 (rooms v2–v11) and v2.1 (room v12).
//
// Spec: rooms/v1.md "State resolution"; rooms/fragments/v2-state-res;
// rooms/v12.md "State resolution" (start from the empty state, add the
// conflicted state subgraph to the full conflicted set).
//
// Callers decide where events live: resolution fetches them through
// StateResCallbacks. Events must be fetched consistently for the duration of
// one call (the returned pointers must stay valid until it returns).
//
// Cost: linear in the auth DAG reachable from the conflicted events plus
// O(n log n) sorts; nothing is quadratic in the size of the state.
// Thread safety: each call is independent; callbacks are called from the
// calling thread only.
#ifndef MYELIN_DAG_STATE_RES_STATE_RES_H_
#define MYELIN_DAG_STATE_RES_STATE_RES_H_

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "dag/auth/auth.h"
#include "dag/pdu/pdu.h"
#include "dag/room_version/room_version.h"

namespace myelin {

// (type, state_key) -> event id.
using StateMap = absl::flat_hash_map<StateKey, std::string>;

struct StateResCallbacks {
  // Returns the event with this id, or nullptr when it is unknown (unknown
  // events are left out, as the spec's "events that exist").
  std::function<const Pdu*(std::string_view event_id)> fetch;
  // Optional: true for events rejected on receipt. Rejected auth events are
  // not used in the iterative auth checks (rooms/v2-state-res "Rejected
  // events"). Unset means none is rejected.
  std::function<bool(std::string_view event_id)> is_rejected;
  // Crypto checks for the auth rules (third-party invites).
  AuthHooks auth_hooks;
};

// Resolves `state_sets` under `rules.state_res`, computing auth chains by
// walking auth_events through `callbacks.fetch`. Errors only on unusable
// input (no fetch callback); missing events are skipped as the spec says.
absl::StatusOr<StateMap> ResolveState(const RoomVersionRules& rules,
                                      std::span<const StateMap> state_sets,
                                      const StateResCallbacks& callbacks);

// Same, with the full auth chain of each state set supplied by the caller
// (for example from a storage index). Only v2/v2.1 use auth chains; v1
// ignores them. The auth difference is ∪C_i − ∩C_i over these sets.
absl::StatusOr<StateMap> ResolveStateWithAuthChains(
    const RoomVersionRules& rules, std::span<const StateMap> state_sets,
    std::span<const absl::flat_hash_set<std::string>> auth_chain_sets,
    const StateResCallbacks& callbacks);

}  // namespace myelin

#endif  // MYELIN_DAG_STATE_RES_STATE_RES_H_
