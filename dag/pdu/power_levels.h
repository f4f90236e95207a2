// Typed m.room.power_levels content, parsed per room version.
//
// Spec: client-server-api "m.room.power_levels" (defaults);
// rooms/fragments/v1-stringy-power-levels and v1-floaty-power-levels
// (v1–v9 accept "50", " +050 " and 50.7 → 50); rooms/v10 (integers only).
#ifndef MYELIN_DAG_PDU_POWER_LEVELS_H_
#define MYELIN_DAG_PDU_POWER_LEVELS_H_

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "dag/room_version/room_version.h"

namespace myelin {

// The seven top-level integer fields, in the order of auth rule 10.6
// (v12 numbering).
enum class PowerLevelField {
  kUsersDefault,
  kEventsDefault,
  kStateDefault,
  kBan,
  kRedact,
  kKick,
  kInvite,
};
inline constexpr std::array<PowerLevelField, 7> kAllPowerLevelFields = {
    PowerLevelField::kUsersDefault, PowerLevelField::kEventsDefault,
    PowerLevelField::kStateDefault, PowerLevelField::kBan,
    PowerLevelField::kRedact,       PowerLevelField::kKick,
    PowerLevelField::kInvite};
std::string_view PowerLevelFieldName(PowerLevelField f);

struct PowerLevels {
  // As present in the content (absent fields stay nullopt, which the auth
  // rules need to tell "added/removed" from "changed").
  std::array<std::optional<int64_t>, 7> fields;
  absl::flat_hash_map<std::string, int64_t> events;
  absl::flat_hash_map<std::string, int64_t> notifications;
  absl::flat_hash_map<std::string, int64_t> users;

  std::optional<int64_t> Raw(PowerLevelField f) const {
    return fields[static_cast<int>(f)];
  }
  // The value with the spec default applied: ban/kick/redact/state_default
  // 50, the others 0.
  int64_t Get(PowerLevelField f) const;
  // users[user] or users_default.
  int64_t UserLevel(std::string_view user_id) const;
  // events[type] or state_default / events_default.
  int64_t EventLevel(std::string_view type, bool is_state) const;
};

// Parses power levels `content`. With rules.integer_power_levels every value
// must be a JSON integer; otherwise strings and floats are accepted as the
// v1 fragments describe. Errors name the offending key.
absl::StatusOr<PowerLevels> ParsePowerLevels(const boost::json::object& content,
                                             const RoomVersionRules& rules);

// One power level value under `rules` (exposed for tests and auth).
absl::StatusOr<int64_t> ParsePowerLevelValue(const boost::json::value& v,
                                             const RoomVersionRules& rules);

}  // namespace myelin

#endif  // MYELIN_DAG_PDU_POWER_LEVELS_H_
