// The top-level Filter of /sync and POST /user/{userId}/filter (Spec:
// client-server-api, "Filtering"; definitions/sync_filter.yaml): event
// fields and format, presence and account data filters, and the room
// filter with its state/timeline/ephemeral/account_data sub-filters.
// Pure: parsing and validation only.
#ifndef MYELIN_SERVER_FILTER_FILTER_H_
#define MYELIN_SERVER_FILTER_FILTER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "server/filter/room_event_filter.h"

namespace myelin::filter {

enum class EventFormat { kClient, kFederation };

struct RoomFilter {
  std::optional<std::vector<std::string>> rooms;
  std::vector<std::string> not_rooms;
  bool include_leave = false;
  RoomEventFilter state;
  RoomEventFilter timeline;
  RoomEventFilter ephemeral;
  RoomEventFilter account_data;
};

struct Filter {
  std::optional<std::vector<std::string>> event_fields;
  EventFormat event_format = EventFormat::kClient;
  // EventFilter (presence, global account data): the RoomEventFilter fields
  // that apply (limit, types, senders and their negations).
  RoomEventFilter presence;
  RoomEventFilter account_data;
  RoomFilter room;
};

// M_BAD_JSON naming the field for anything of the wrong type; M_INVALID_PARAM
// for an unknown event_format.
absl::StatusOr<Filter> ParseFilter(const boost::json::object& json);

// The `filter` parameter of /sync: inline JSON when it starts with '{'.
bool IsInlineFilter(std::string_view text);

}  // namespace myelin::filter

#endif  // MYELIN_SERVER_FILTER_FILTER_H_
