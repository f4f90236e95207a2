// Internal to dag/state_res: state resolution for room version 1.
// Spec: rooms/v1.md "State resolution".
#ifndef MYELIN_DAG_STATE_RES_STATE_RES_V1_H_
#define MYELIN_DAG_STATE_RES_STATE_RES_V1_H_

#include <span>

#include "dag/state_res/state_res.h"

namespace myelin::state_res_internal {

StateMap ResolveV1(const RoomVersionRules& rules,
                   std::span<const StateMap> sets,
                   const StateResCallbacks& callbacks);

}  // namespace myelin::state_res_internal

#endif  // MYELIN_DAG_STATE_RES_STATE_RES_V1_H_
