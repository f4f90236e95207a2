// Events as clients see them. Spec: client-server-api, "Room Event Format"
// (ClientEvent): event_id, room_id, type, sender, content, origin_server_ts,
// state_key and unsigned (age, prev_content, replaces_state) — without the
// federation fields (auth_events, prev_events, depth, hashes, signatures).
#ifndef MYELIN_SERVER_ROOMS_CLIENT_EVENT_H_
#define MYELIN_SERVER_ROOMS_CLIENT_EVENT_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"

namespace myelin::rooms {

// `stored` is the event JSON as persisted; `event_id` and `room_id` are
// given because v3+ events do not carry their id and v12 create events no
// room id. `now_millis` computes unsigned.age.
absl::StatusOr<boost::json::object> ToClientEvent(std::string_view stored,
                                                  std::string_view event_id,
                                                  std::string_view room_id,
                                                  int64_t now_millis);

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_CLIENT_EVENT_H_
