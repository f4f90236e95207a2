#include "dag/auth/auth_context.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/ids/ids.h"

namespace myelin::auth_internal {

absl::StatusOr<AuthContext> AuthContext::Make(const Pdu& event,
                                              const RoomVersionRules& rules,
                                              const AuthState& state,
                                              const AuthHooks& hooks,
                                              PowerLevelsCache* cache) {
  AuthContext ctx;
  ctx.event_ = &event;
  ctx.rules_ = &rules;
  ctx.state_ = &state;
  ctx.hooks_ = &hooks;
  ctx.create_ = ctx.Get(event_type::kCreate, "");
  if (ctx.create_ == nullptr) {
    return Reject("3.4", "no m.room.create event in the auth state");
  }
  ctx.creators_ = RoomCreators(*ctx.create_, rules);
  ctx.pl_event_ = ctx.Get(event_type::kPowerLevels, "");
  if (ctx.pl_event_ == nullptr) {
    static const auto* const kDefaults =
        new std::shared_ptr<const PowerLevels>(std::make_shared<PowerLevels>());
    ctx.pl_ = *kDefaults;
    return ctx;
  }
  PowerLevelsCache local;
  absl::StatusOr<std::shared_ptr<const PowerLevels>> pl =
      (cache != nullptr ? cache : &local)->Get(*ctx.pl_event_, rules);
  if (!pl.ok()) {
    return Reject("11", absl::StrFormat("current power levels are invalid: %s",
                                        pl.status().message()));
  }
  ctx.pl_ = *std::move(pl);
  return ctx;
}

const Pdu* AuthContext::Get(std::string_view type,
                            std::string_view state_key) const {
  auto it = state_->find(StateKey(type, state_key));
  return it == state_->end() ? nullptr : it->second;
}

std::string_view AuthContext::MembershipOf(std::string_view user_id) const {
  const Pdu* member = Get(event_type::kMember, user_id);
  if (member == nullptr) return "leave";
  return member->membership().value_or("leave");
}

std::string_view AuthContext::JoinRule() const {
  const Pdu* jr = Get(event_type::kJoinRules, "");
  if (jr == nullptr) return "invite";
  return jr->ContentString("join_rule").value_or("invite");
}

bool AuthContext::IsCreator(std::string_view user_id) const {
  return std::find(creators_.begin(), creators_.end(), user_id) !=
         creators_.end();
}

int64_t AuthContext::LevelOf(std::string_view user_id) const {
  // Spec: rooms/v12 "The power level of room creators is infinitely high."
  if (rules_->privileged_creators && IsCreator(user_id)) {
    return kInfinitePowerLevel;
  }
  if (pl_event_ != nullptr) return pl_->UserLevel(user_id);
  // Spec: m.room.power_levels — with no power levels event the creator has
  // 100 and everyone else 0.
  return IsCreator(user_id) ? 100 : 0;
}

}  // namespace myelin::auth_internal

namespace myelin {

absl::StatusOr<std::shared_ptr<const PowerLevels>> PowerLevelsCache::Get(
    const Pdu& power_levels_event, const RoomVersionRules& rules) {
  auto it = entries_.find(power_levels_event.event_id());
  if (it != entries_.end()) return it->second;
  absl::StatusOr<PowerLevels> parsed =
      ParsePowerLevels(power_levels_event.content(), rules);
  absl::StatusOr<std::shared_ptr<const PowerLevels>> entry =
      parsed.ok() ? absl::StatusOr<std::shared_ptr<const PowerLevels>>(
                        std::make_shared<const PowerLevels>(*std::move(parsed)))
                  : parsed.status();
  entries_.emplace(power_levels_event.event_id(), entry);
  return entry;
}

}  // namespace myelin

namespace myelin::auth_internal {

absl::Status Reject(std::string_view rule, std::string_view why) {
  return Forbidden(absl::StrFormat("auth rule %s: %s", rule, why));
}

bool LooksLikeUserId(std::string_view id) {
  // Events from other servers may carry historical user ids.
  return ids::ParseUserId(id, ids::UserIdGrammar::kHistorical).ok();
}

}  // namespace myelin::auth_internal
