// Internal to dag/auth: the facts about the room state the rules consult,
// computed once per check.
#ifndef MYELIN_DAG_AUTH_AUTH_CONTEXT_H_
#define MYELIN_DAG_AUTH_AUTH_CONTEXT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dag/auth/auth.h"
#include "dag/pdu/power_levels.h"

namespace myelin::auth_internal {

class AuthContext {
 public:
  // REQUIRES: `event`, `rules`, `state` and `hooks` outlive the context.
  // Fails when the state has no create event or its power levels event does
  // not parse.
  static absl::StatusOr<AuthContext> Make(const Pdu& event,
                                          const RoomVersionRules& rules,
                                          const AuthState& state,
                                          const AuthHooks& hooks,
                                          PowerLevelsCache* cache);

  const Pdu& event() const { return *event_; }
  const RoomVersionRules& rules() const { return *rules_; }
  const AuthHooks& hooks() const { return *hooks_; }
  const Pdu& create() const { return *create_; }
  const std::vector<std::string>& creators() const { return creators_; }

  const Pdu* Get(std::string_view type, std::string_view state_key) const;
  // "leave" when the user has no member event (or it has no membership).
  std::string_view MembershipOf(std::string_view user_id) const;
  // "invite" when there is no join rules event.
  std::string_view JoinRule() const;
  // The user's power level (v12 creators: kInfinitePowerLevel).
  int64_t LevelOf(std::string_view user_id) const;
  // A named level (ban, kick, invite, …) with the spec defaults.
  int64_t Level(PowerLevelField f) const { return pl_->Get(f); }
  const PowerLevels& power_levels() const { return *pl_; }
  const Pdu* power_levels_event() const { return pl_event_; }
  bool IsCreator(std::string_view user_id) const;

 private:
  AuthContext() = default;

  const Pdu* event_ = nullptr;
  const RoomVersionRules* rules_ = nullptr;
  const AuthState* state_ = nullptr;
  const AuthHooks* hooks_ = nullptr;
  const Pdu* create_ = nullptr;
  const Pdu* pl_event_ = nullptr;
  std::shared_ptr<const PowerLevels> pl_;  // defaults when no event
  std::vector<std::string> creators_;
};

// A Forbidden status: "rule <rule>: <why>".
absl::Status Reject(std::string_view rule, std::string_view why);

// Rule 5 (4 before v12): m.room.member events.
absl::Status CheckMember(const AuthContext& ctx);

// Rule 11 (10 before v12): m.room.power_levels events.
absl::Status CheckPowerLevels(const AuthContext& ctx);

// The user id check of rules 1.4 and 11.3 (dag/ids, historical grammar:
// what the spec requires servers to accept from others).
bool LooksLikeUserId(std::string_view id);

}  // namespace myelin::auth_internal

#endif  // MYELIN_DAG_AUTH_AUTH_CONTEXT_H_
