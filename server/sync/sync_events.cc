// Events as /sync sends them (Spec: client-server-api, GET /sync
// ClientEventWithoutRoomID; "Filtering" event_format and event_fields;
// "Transaction identifiers" unsigned.transaction_id).
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"
#include "server/filter/event_fields.h"
#include "server/rooms/relations.h"
#include "server/sync/sync_builder.h"

namespace myelin::sync {

absl::StatusOr<boost::json::object> SyncBuilder::ClientEvent(
    const storage::RoomInfo& room, storage::EventNid nid) {
  boost::json::object event;
  if (req_.filter.event_format == filter::EventFormat::kFederation) {
    ASSIGN_OR_RETURN(std::string json, events_.EventJson(nid));
    ASSIGN_OR_RETURN(event, json::ParseJsonObject(json));
  } else {
    ASSIGN_OR_RETURN(event,
                     rooms::ServeEvent(*src_.rooms, room, nid, req_.user_id));
    // Every event of a room section belongs to that room.
    event.erase("room_id");
  }
  if (req_.filter.event_fields.has_value()) {
    event = filter::ProjectEventFields(event, *req_.filter.event_fields);
  }
  return event;
}

absl::StatusOr<std::vector<boost::json::object>> SyncBuilder::StateEvents(
    const storage::RoomInfo& room, const std::vector<storage::EventNid>& nids) {
  std::vector<boost::json::object> events;
  if (req_.filter.event_format == filter::EventFormat::kFederation) {
    ASSIGN_OR_RETURN(std::vector<std::string> jsons, events_.EventJsons(nids));
    for (const std::string& json : jsons) {
      ASSIGN_OR_RETURN(boost::json::object event, json::ParseJsonObject(json));
      events.push_back(std::move(event));
    }
  } else {
    ASSIGN_OR_RETURN(events, rooms::ServeStateEvents(*src_.rooms, room, nids));
    for (boost::json::object& event : events) event.erase("room_id");
  }
  if (req_.filter.event_fields.has_value()) {
    for (boost::json::object& event : events) {
      event = filter::ProjectEventFields(event, *req_.filter.event_fields);
    }
  }
  return events;
}

absl::StatusOr<boost::json::object> SyncBuilder::ClientEvent(
    const storage::RoomInfo& room, const storage::EventMeta& meta) {
  ASSIGN_OR_RETURN(boost::json::object event, ClientEvent(room, meta.event_nid));
  // Spec: transaction_id only for the device that sent the event.
  if (meta.sender_nid != user_nid_ || req_.device_id.empty() ||
      req_.filter.event_format == filter::EventFormat::kFederation) {
    return event;
  }
  ASSIGN_OR_RETURN(auto txn, events_.TxnOfEvent(meta.event_nid));
  if (txn.has_value() && txn->first == req_.device_id) {
    boost::json::value& unsigned_field = event["unsigned"];
    if (!unsigned_field.is_object()) unsigned_field = boost::json::object();
    unsigned_field.as_object()["transaction_id"] = txn->second;
  }
  return event;
}

}  // namespace myelin::sync
