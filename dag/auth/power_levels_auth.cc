// Rule 11 (10 before v12): m.room.power_levels events.
#include "absl/strings/str_format.h"
#include "dag/auth/auth_context.h"
#include "dag/base/strings.h"

namespace myelin::auth_internal {
namespace {

using LevelMap = absl::flat_hash_map<std::string, int64_t>;

// Rules 11.7 and 11.8 for one map (events or notifications).
absl::Status CheckMapChanges(std::string_view name, const LevelMap& old_map,
                             const LevelMap& new_map, int64_t sender_level) {
  for (const auto& [key, old_level] : old_map) {
    auto it = new_map.find(key);
    const bool changed = it == new_map.end() || it->second != old_level;
    // Rule 11.7.1.
    if (changed && old_level > sender_level) {
      return Reject(
          "11.7.1",
          absl::StrFormat("cannot change %s.%s above own level", name, key));
    }
  }
  for (const auto& [key, new_level] : new_map) {
    auto it = old_map.find(key);
    const bool changed = it == old_map.end() || it->second != new_level;
    // Rule 11.8.1.
    if (changed && new_level > sender_level) {
      return Reject(
          "11.8.1",
          absl::StrFormat("cannot set %s.%s above own level", name, key));
    }
  }
  return absl::OkStatus();
}

// Rules 11.9 and 11.10.
absl::Status CheckUserChanges(const LevelMap& old_users,
                              const LevelMap& new_users,
                              std::string_view sender, int64_t sender_level) {
  for (const auto& [user, old_level] : old_users) {
    auto it = new_users.find(user);
    const bool changed = it == new_users.end() || it->second != old_level;
    // Rule 11.9.1.
    if (changed && user != sender && old_level >= sender_level) {
      return Reject("11.9.1",
                    absl::StrFormat("cannot change the level of %s", user));
    }
  }
  for (const auto& [user, new_level] : new_users) {
    auto it = old_users.find(user);
    const bool changed = it == old_users.end() || it->second != new_level;
    // Rule 11.10.1.
    if (changed && new_level > sender_level) {
      return Reject("11.10.1",
                    absl::StrFormat("cannot give %s a level above own", user));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPowerLevels(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  // Rules 11.1 and 11.2 (since v10: integers only) and 11.3 (values).
  absl::StatusOr<PowerLevels> parsed =
      ParsePowerLevels(event.content(), ctx.rules());
  if (!parsed.ok()) return Reject("11.1", SV(parsed.status().message()));
  const PowerLevels& next = *parsed;
  // Rule 11.3: users keys are user ids.
  for (const auto& [user, level] : next.users) {
    if (!LooksLikeUserId(user)) {
      return Reject("11.3", absl::StrFormat("'%s' is not a user id", user));
    }
    // Rule 11.4 (since v12): creators may not appear in users.
    if (ctx.rules().privileged_creators && ctx.IsCreator(user)) {
      return Reject("11.4", absl::StrFormat("creator %s is in users", user));
    }
  }
  // Rule 11.5.
  if (ctx.power_levels_event() == nullptr) return absl::OkStatus();
  const PowerLevels& current = ctx.power_levels();
  const int64_t sender_level = ctx.LevelOf(event.sender());
  // Rule 11.6.
  for (PowerLevelField f : kAllPowerLevelFields) {
    if (current.Raw(f) == next.Raw(f)) continue;
    if (current.Raw(f).value_or(INT64_MIN) > sender_level) {
      return Reject("11.6.1", absl::StrFormat("current %s is above own level",
                                              PowerLevelFieldName(f)));
    }
    if (next.Raw(f).value_or(INT64_MIN) > sender_level) {
      return Reject("11.6.2", absl::StrFormat("new %s is above own level",
                                              PowerLevelFieldName(f)));
    }
  }
  // Rules 11.7 and 11.8 (notifications since v6).
  if (absl::Status s =
          CheckMapChanges("events", current.events, next.events, sender_level);
      !s.ok()) {
    return s;
  }
  if (ctx.rules().limit_notifications_power_levels) {
    if (absl::Status s = CheckMapChanges("notifications", current.notifications,
                                         next.notifications, sender_level);
        !s.ok()) {
      return s;
    }
  }
  // Rules 11.9 and 11.10.
  return CheckUserChanges(current.users, next.users, event.sender(),
                          sender_level);
}

}  // namespace myelin::auth_internal
