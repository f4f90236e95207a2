// RoomEventFilter (Spec: client-server-api, "Filtering";
// definitions/room_event_filter.yaml and event_filter.yaml): which events of
// a room a client wants. Pure: parsing and matching only.
//
// Matching rules: `not_*` lists win over the positive lists; an absent list
// allows everything; `*` in a type matches any sequence of characters.
#ifndef MYELIN_SERVER_FILTER_ROOM_EVENT_FILTER_H_
#define MYELIN_SERVER_FILTER_ROOM_EVENT_FILTER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"

namespace myelin::filter {

struct RoomEventFilter {
  std::optional<int64_t> limit;
  std::optional<std::vector<std::string>> types;
  std::vector<std::string> not_types;
  std::optional<std::vector<std::string>> senders;
  std::vector<std::string> not_senders;
  std::optional<std::vector<std::string>> rooms;
  std::vector<std::string> not_rooms;
  std::optional<bool> contains_url;
  bool lazy_load_members = false;
  bool include_redundant_members = false;
  bool unread_thread_notifications = false;

  // Whether an event passes. `content` is the event's content.
  bool Matches(std::string_view room_id, std::string_view type,
               std::string_view sender,
               const boost::json::object& content) const;
  bool MatchesRoom(std::string_view room_id) const;
};

// Parses a filter object. M_BAD_JSON names the field of the wrong type.
absl::StatusOr<RoomEventFilter> ParseRoomEventFilter(
    const boost::json::object& json);

// The `filter` query parameter of /messages and /context: JSON text.
absl::StatusOr<RoomEventFilter> ParseRoomEventFilterText(std::string_view text);

// Spec: event_filter.yaml — `*` matches any sequence of characters.
bool TypeMatches(std::string_view pattern, std::string_view type);

}  // namespace myelin::filter

#endif  // MYELIN_SERVER_FILTER_ROOM_EVENT_FILTER_H_
