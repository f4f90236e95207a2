#include "dag/pdu/power_levels.h"

#include <cctype>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"

namespace myelin {
namespace {

namespace json = boost::json;

constexpr std::array<std::string_view, 7> kFieldNames = {
    "users_default", "events_default", "state_default", "ban",
    "redact",        "kick",           "invite"};

absl::Status Bad(std::string_view key) {
  return absl::InvalidArgumentError(
      absl::StrFormat("power level '%s' is not an integer", key));
}

// Spec: rooms/fragments/v1-stringy-power-levels — optional surrounding
// whitespace, one optional sign, base-10 digits (leading zeroes allowed).
std::optional<int64_t> ParseStringyInt(std::string_view s) {
  auto is_space = [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return negative ? -value : value;
}

absl::Status ParseIntMap(const json::object& content, std::string_view key,
                         const RoomVersionRules& rules,
                         absl::flat_hash_map<std::string, int64_t>* out) {
  const json::value* v = content.if_contains(key);
  if (v == nullptr) return absl::OkStatus();
  if (!v->is_object()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("power level '%s' is not an object", key));
  }
  for (const auto& [k, item] : v->get_object()) {
    absl::StatusOr<int64_t> level = ParsePowerLevelValue(item, rules);
    if (!level.ok())
      return Bad(absl::StrFormat("%s.%s", key, std::string_view(k)));
    out->emplace(std::string(k), *level);
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view PowerLevelFieldName(PowerLevelField f) {
  return kFieldNames[static_cast<int>(f)];
}

absl::StatusOr<int64_t> ParsePowerLevelValue(const json::value& v,
                                             const RoomVersionRules& rules) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > INT64_MAX) return Bad("value");
    return static_cast<int64_t>(v.get_uint64());
  }
  // Spec: rooms/v10 — "power levels must be integers".
  if (rules.integer_power_levels) return Bad("value");
  if (v.is_string()) {
    std::optional<int64_t> n =
        ParseStringyInt(std::string_view(v.get_string()));
    if (!n) return Bad("value");
    return *n;
  }
  if (v.is_double()) {
    // Spec: rooms/fragments/v1-floaty-power-levels — truncate; reject
    // values outside a double's finite range.
    double d = v.get_double();
    if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18) return Bad("value");
    return static_cast<int64_t>(std::trunc(d));
  }
  return Bad("value");
}

int64_t PowerLevels::Get(PowerLevelField f) const {
  switch (f) {
    case PowerLevelField::kBan:
    case PowerLevelField::kKick:
    case PowerLevelField::kRedact:
    case PowerLevelField::kStateDefault:
      return Raw(f).value_or(50);
    default:
      return Raw(f).value_or(0);
  }
}

int64_t PowerLevels::UserLevel(std::string_view user_id) const {
  auto it = users.find(AV(user_id));
  if (it != users.end()) return it->second;
  return Get(PowerLevelField::kUsersDefault);
}

int64_t PowerLevels::EventLevel(std::string_view type, bool is_state) const {
  auto it = events.find(AV(type));
  if (it != events.end()) return it->second;
  return Get(is_state ? PowerLevelField::kStateDefault
                      : PowerLevelField::kEventsDefault);
}

absl::StatusOr<PowerLevels> ParsePowerLevels(const json::object& content,
                                             const RoomVersionRules& rules) {
  PowerLevels pl;
  for (PowerLevelField f : kAllPowerLevelFields) {
    const json::value* v = content.if_contains(PowerLevelFieldName(f));
    if (v == nullptr) continue;
    absl::StatusOr<int64_t> level = ParsePowerLevelValue(*v, rules);
    if (!level.ok()) return Bad(PowerLevelFieldName(f));
    pl.fields[static_cast<int>(f)] = *level;
  }
  RETURN_IF_ERROR(ParseIntMap(content, "events", rules, &pl.events));
  RETURN_IF_ERROR(
      ParseIntMap(content, "notifications", rules, &pl.notifications));
  RETURN_IF_ERROR(ParseIntMap(content, "users", rules, &pl.users));
  return pl;
}

}  // namespace myelin
