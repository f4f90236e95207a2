#include "server/filter/room_event_filter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/json/parse.h"

namespace myelin::filter {
namespace {

absl::StatusOr<std::optional<std::vector<std::string>>> StringList(
    const boost::json::object& json, const char* key) {
  const auto* value = json.if_contains(key);
  if (value == nullptr) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) return BadJson(absl::StrCat(key, " must be a list"));
  std::vector<std::string> items;
  for (const auto& item : value->as_array()) {
    if (!item.is_string()) {
      return BadJson(absl::StrCat(key, " must be a list of strings"));
    }
    items.emplace_back(item.as_string());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

absl::StatusOr<std::optional<bool>> OptionalBool(
    const boost::json::object& json, const char* key) {
  const auto* value = json.if_contains(key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_bool()) return BadJson(absl::StrCat(key, " must be a boolean"));
  return std::optional<bool>(value->as_bool());
}

bool AnyMatch(const std::vector<std::string>& patterns, std::string_view type) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return TypeMatches(p, type); });
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

bool TypeMatches(std::string_view pattern, std::string_view type) {
  // Greedy glob with backtracking to the last '*': linear in practice.
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < type.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == type[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool RoomEventFilter::MatchesRoom(std::string_view room_id) const {
  if (Contains(not_rooms, room_id)) return false;
  return !rooms.has_value() || Contains(*rooms, room_id);
}

bool RoomEventFilter::Matches(std::string_view room_id, std::string_view type,
                              std::string_view sender,
                              const boost::json::object& content) const {
  if (!MatchesRoom(room_id)) return false;
  if (AnyMatch(not_types, type)) return false;
  if (types.has_value() && !AnyMatch(*types, type)) return false;
  if (Contains(not_senders, sender)) return false;
  if (senders.has_value() && !Contains(*senders, sender)) return false;
  if (contains_url.has_value()) {
    const auto* url = content.if_contains("url");
    bool has_url = url != nullptr && url->is_string();
    if (has_url != *contains_url) return false;
  }
  return true;
}

absl::StatusOr<RoomEventFilter> ParseRoomEventFilter(
    const boost::json::object& json) {
  RoomEventFilter filter;
  if (const auto* limit = json.if_contains("limit")) {
    if (!limit->is_int64() || limit->as_int64() < 1) {
      return BadJson("limit must be a positive integer");
    }
    filter.limit = limit->as_int64();
  }
  ASSIGN_OR_RETURN(filter.types, StringList(json, "types"));
  ASSIGN_OR_RETURN(auto not_types, StringList(json, "not_types"));
  filter.not_types = not_types.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(filter.senders, StringList(json, "senders"));
  ASSIGN_OR_RETURN(auto not_senders, StringList(json, "not_senders"));
  filter.not_senders = not_senders.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(filter.rooms, StringList(json, "rooms"));
  ASSIGN_OR_RETURN(auto not_rooms, StringList(json, "not_rooms"));
  filter.not_rooms = not_rooms.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(filter.contains_url, OptionalBool(json, "contains_url"));
  ASSIGN_OR_RETURN(auto lazy, OptionalBool(json, "lazy_load_members"));
  filter.lazy_load_members = lazy.value_or(false);
  ASSIGN_OR_RETURN(auto redundant, OptionalBool(json, "include_redundant_members"));
  filter.include_redundant_members = redundant.value_or(false);
  ASSIGN_OR_RETURN(auto threads, OptionalBool(json, "unread_thread_notifications"));
  filter.unread_thread_notifications = threads.value_or(false);
  return filter;
}

absl::StatusOr<RoomEventFilter> ParseRoomEventFilterText(std::string_view text) {
  absl::StatusOr<boost::json::object> json = json::ParseJsonObject(text);
  if (!json.ok()) return BadJson("filter is not a JSON object");
  return ParseRoomEventFilter(*json);
}

}  // namespace myelin::filter
