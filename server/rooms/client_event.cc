#include "server/rooms/client_event.h"

#include "dag/base/status_macros.h"
#include "dag/json/parse.h"

namespace myelin::rooms {

absl::StatusOr<boost::json::object> ToClientEvent(std::string_view stored,
                                                  std::string_view event_id,
                                                  std::string_view room_id,
                                                  int64_t now_millis) {
  ASSIGN_OR_RETURN(boost::json::object pdu, json::ParseJsonObject(stored));
  boost::json::object event;
  event["event_id"] = event_id;
  event["room_id"] = room_id;
  for (const char* key :
       {"type", "sender", "content", "origin_server_ts", "state_key",
        "redacts"}) {
    if (const auto* value = pdu.if_contains(key)) event[key] = *value;
  }
  boost::json::object unsigned_data;
  if (const auto* stored_unsigned = pdu.if_contains("unsigned");
      stored_unsigned != nullptr && stored_unsigned->is_object()) {
    // Only what clients may see of a server's unsigned data.
    for (const char* key : {"prev_content", "replaces_state", "prev_sender"}) {
      if (const auto* value = stored_unsigned->as_object().if_contains(key)) {
        unsigned_data[key] = *value;
      }
    }
  }
  if (const auto* ts = pdu.if_contains("origin_server_ts");
      ts != nullptr && ts->is_int64()) {
    unsigned_data["age"] = now_millis - ts->as_int64();
  }
  event["unsigned"] = std::move(unsigned_data);
  return event;
}

}  // namespace myelin::rooms
