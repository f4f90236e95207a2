// Events as served to clients, with redactions applied and the server-side
// aggregations of their child events bundled. Spec: client-server-api,
// "Redactions", "Aggregations of child events", modules/event_replacements
// ("Server-side aggregation of m.replace relationships"), modules/threading
// ("Event aggregation"); annotations are not aggregated by the server
// (since v1.7) and references are ({"chunk": [{"event_id"}]}).
//
// Cost per served event: one bloom-filtered Get (its redaction) and one
// seek (whether it has children); aggregations are read only for events
// that have children.
#ifndef MYELIN_SERVER_ROOMS_RELATIONS_H_
#define MYELIN_SERVER_ROOMS_RELATIONS_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "server/rooms/rooms_api.h"
#include "storage/events/types.h"

namespace myelin::rooms {

// The event `nid` of `room` in client format (ToClientEvent) as `viewer`
// sees it: redacted (content stripped by the room version's algorithm,
// unsigned.redacted_because holding the redaction) when a valid redaction
// of it is stored, and with unsigned["m.relations"] when it has edits,
// thread replies or references. The thread's latest_event carries its own
// aggregations, one level down only. `viewer` may be empty (nobody
// participates). Without context.relations, events are served as stored.
absl::StatusOr<boost::json::object> ServeEvent(const RoomsContext& context,
                                               const storage::RoomInfo& room,
                                               storage::EventNid nid,
                                               std::string_view viewer);

// Many state events of `room` at once, as ServeEvent serves them but
// without aggregations (clients do not look for edits or threads of state
// events): the JSON is read with one MultiGet. For /sync's state sections.
absl::StatusOr<std::vector<boost::json::object>> ServeStateEvents(
    const RoomsContext& context, const storage::RoomInfo& room,
    const std::vector<storage::EventNid>& nids);

// Checks the relation of an event a local user sends (content is what the
// client sent). Spec: threading "Validation of m.thread relationships" —
// a thread may not start at an event that has m.relates_to itself (400
// M_UNKNOWN); event_annotations "Avoiding duplicate annotations" — the same
// sender may not send a second annotation with the same event type and key
// to one event unless the first is redacted (400 M_DUPLICATE_ANNOTATION).
// Parents this server does not have pass.
absl::Status CheckNewRelation(const RoomsContext& context,
                              std::string_view room_id, std::string_view type,
                              std::string_view sender,
                              const boost::json::object& content);

// The room, if `user_id` is joined to it now; M_FORBIDDEN otherwise (also
// for unknown rooms, so room ids do not leak).
absl::StatusOr<storage::RoomInfo> RequireJoined(const RoomsContext& context,
                                                std::string_view room_id,
                                                std::string_view user_id);

// Whether the event `event_id` has a redaction that applies (used to hide
// redacted relations from aggregations and /relations).
absl::StatusOr<bool> IsRedacted(const RoomsContext& context,
                                storage::RoomNid room,
                                std::string_view event_id);

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_RELATIONS_H_
