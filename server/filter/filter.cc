#include "server/filter/filter.h"

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"

namespace myelin::filter {
namespace {

// A sub-filter object, or the empty filter when absent.
absl::StatusOr<RoomEventFilter> SubFilter(const boost::json::object& json,
                                          const char* key,
                                          const char* path) {
  const auto* value = json.if_contains(key);
  if (value == nullptr) return RoomEventFilter{};
  if (!value->is_object()) {
    return BadJson(absl::StrCat(path, key, " must be an object"));
  }
  absl::StatusOr<RoomEventFilter> filter = ParseRoomEventFilter(value->as_object());
  if (!filter.ok()) {
    return BadJson(absl::StrCat(path, key, ": ", filter.status().message()));
  }
  return filter;
}

absl::StatusOr<RoomFilter> ParseRoomFilter(const boost::json::object& json) {
  RoomFilter room;
  // rooms/not_rooms follow the RoomEventFilter parser's rules.
  boost::json::object room_lists;
  for (const char* key : {"rooms", "not_rooms"}) {
    if (const auto* value = json.if_contains(key)) room_lists[key] = *value;
  }
  absl::StatusOr<RoomEventFilter> rooms = ParseRoomEventFilter(room_lists);
  if (!rooms.ok()) {
    return BadJson(absl::StrCat("room.", rooms.status().message()));
  }
  room.rooms = std::move(rooms->rooms);
  room.not_rooms = std::move(rooms->not_rooms);
  if (const auto* leave = json.if_contains("include_leave")) {
    if (!leave->is_bool()) return BadJson("room.include_leave must be a boolean");
    room.include_leave = leave->as_bool();
  }
  ASSIGN_OR_RETURN(room.state, SubFilter(json, "state", "room."));
  ASSIGN_OR_RETURN(room.timeline, SubFilter(json, "timeline", "room."));
  ASSIGN_OR_RETURN(room.ephemeral, SubFilter(json, "ephemeral", "room."));
  ASSIGN_OR_RETURN(room.account_data, SubFilter(json, "account_data", "room."));
  return room;
}

}  // namespace

absl::StatusOr<Filter> ParseFilter(const boost::json::object& json) {
  Filter filter;
  if (const auto* fields = json.if_contains("event_fields")) {
    if (!fields->is_array()) return BadJson("event_fields must be a list");
    std::vector<std::string> list;
    for (const auto& field : fields->as_array()) {
      if (!field.is_string()) return BadJson("event_fields must hold strings");
      list.emplace_back(field.as_string());
    }
    filter.event_fields = std::move(list);
  }
  if (const auto* format = json.if_contains("event_format")) {
    if (!format->is_string()) return BadJson("event_format must be a string");
    if (format->as_string() == "federation") {
      filter.event_format = EventFormat::kFederation;
    } else if (format->as_string() != "client") {
      return InvalidParam("event_format must be client or federation");
    }
  }
  ASSIGN_OR_RETURN(filter.presence, SubFilter(json, "presence", ""));
  ASSIGN_OR_RETURN(filter.account_data, SubFilter(json, "account_data", ""));
  if (const auto* room = json.if_contains("room")) {
    if (!room->is_object()) return BadJson("room must be an object");
    ASSIGN_OR_RETURN(filter.room, ParseRoomFilter(room->as_object()));
  }
  return filter;
}

bool IsInlineFilter(std::string_view text) {
  return !text.empty() && text.front() == '{';
}

}  // namespace myelin::filter
