#include "dag/event/pdu_checks.h"

#include <string>
#include <string_view>

#include "absl/strings/str_format.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/ids/ids.h"
#include "dag/json/canonical.h"

namespace myelin::event {
namespace {

absl::Status Bad(std::string_view member, std::string_view problem) {
  return BadJson(absl::StrFormat("Invalid PDU: \"%s\" %s", member, problem));
}

absl::StatusOr<std::string_view> RequireString(const boost::json::object& pdu,
                                               std::string_view member,
                                               size_t max_bytes) {
  const boost::json::value* v = pdu.if_contains(member);
  if (v == nullptr) return Bad(member, "is missing");
  if (!v->is_string()) return Bad(member, "must be a string");
  if (v->as_string().size() > max_bytes) {
    return Bad(member, absl::StrFormat("exceeds %d bytes", max_bytes));
  }
  return std::string_view(v->as_string());
}

absl::StatusOr<int64_t> RequireInteger(const boost::json::object& pdu,
                                       std::string_view member) {
  const boost::json::value* v = pdu.if_contains(member);
  if (v == nullptr) return Bad(member, "is missing");
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= uint64_t{INT64_MAX}) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return Bad(member, "must be an integer in the signed 64-bit range");
}

absl::Status RequireObject(const boost::json::object& pdu,
                           std::string_view member) {
  const boost::json::value* v = pdu.if_contains(member);
  if (v == nullptr) return Bad(member, "is missing");
  if (!v->is_object()) return Bad(member, "must be an object");
  return absl::OkStatus();
}

// v1/v2: [event_id, {algorithm: hash}]; v3+: event_id.
absl::Status CheckEventRef(const boost::json::value& ref,
                           std::string_view member, EventIdFormat format) {
  const boost::json::value* id = &ref;
  if (format == EventIdFormat::kV1ServerAssigned) {
    if (!ref.is_array() || ref.as_array().size() != 2 ||
        !ref.as_array()[1].is_object()) {
      return Bad(member, "entries must be [event_id, {hashes}] pairs");
    }
    id = &ref.as_array()[0];
  }
  if (!id->is_string() || !ids::ParseEventId(id->as_string(), format).ok()) {
    return Bad(member, "contains an invalid event ID");
  }
  return absl::OkStatus();
}

absl::Status CheckEventRefs(const boost::json::object& pdu,
                            std::string_view member, size_t max_count,
                            EventIdFormat format) {
  const boost::json::value* v = pdu.if_contains(member);
  if (v == nullptr) return Bad(member, "is missing");
  if (!v->is_array()) return Bad(member, "must be an array");
  if (v->as_array().size() > max_count) {
    return Bad(member, absl::StrFormat("has more than %d entries", max_count));
  }
  for (const boost::json::value& ref : v->as_array()) {
    RETURN_IF_ERROR(CheckEventRef(ref, member, format));
  }
  return absl::OkStatus();
}

absl::Status CheckIds(const boost::json::object& pdu, const PduFormat& format,
                      std::string_view type) {
  ASSIGN_OR_RETURN(std::string_view sender,
                   RequireString(pdu, "sender", ids::kMaxIdBytes));
  if (!ids::ParseUserId(sender, ids::UserIdGrammar::kHistorical).ok()) {
    return Bad("sender", "is not a valid user ID");
  }
  if (format.create_has_no_room_id && type == "m.room.create") {
    if (pdu.contains("room_id")) return Bad("room_id", "must be absent");
  } else {
    ASSIGN_OR_RETURN(std::string_view room_id,
                     RequireString(pdu, "room_id", ids::kMaxIdBytes));
    const ids::RoomIdFormat room_id_format =
        format.create_has_no_room_id ? ids::RoomIdFormat::kCreateEventHash
                                     : ids::RoomIdFormat::kWithDomain;
    if (!ids::ParseRoomId(room_id, room_id_format).ok()) {
      return Bad("room_id", "is not a valid room ID");
    }
  }
  if (format.event_id_format == EventIdFormat::kV1ServerAssigned) {
    ASSIGN_OR_RETURN(std::string_view id,
                     RequireString(pdu, "event_id", ids::kMaxIdBytes));
    if (!ids::ParseEventId(id, format.event_id_format).ok()) {
      return Bad("event_id", "is not a valid event ID");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSize(const boost::json::object& pdu, JsonStrictness json) {
  // Encoding also enforces the v6+ canonical number rules.
  ASSIGN_OR_RETURN(std::string canonical, json::EncodeCanonicalJson(pdu, json));
  if (canonical.size() > kMaxPduBytes) {
    return TooLarge(absl::StrFormat("Event is %d bytes, over the %d limit",
                                    canonical.size(), kMaxPduBytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPdu(const boost::json::object& pdu, const PduFormat& format) {
  ASSIGN_OR_RETURN(std::string_view type,
                   RequireString(pdu, "type", kMaxTypeBytes));
  if (pdu.contains("state_key")) {
    RETURN_IF_ERROR(RequireString(pdu, "state_key", kMaxStateKeyBytes).status());
  }
  RETURN_IF_ERROR(CheckIds(pdu, format, type));
  RETURN_IF_ERROR(RequireObject(pdu, "content"));
  RETURN_IF_ERROR(RequireObject(pdu, "hashes"));
  RETURN_IF_ERROR(RequireObject(pdu, "signatures"));
  ASSIGN_OR_RETURN(int64_t depth, RequireInteger(pdu, "depth"));
  if (depth < 0) return Bad("depth", "must not be negative");
  RETURN_IF_ERROR(RequireInteger(pdu, "origin_server_ts").status());
  RETURN_IF_ERROR(CheckEventRefs(pdu, "prev_events", kMaxPrevEvents,
                                 format.event_id_format));
  RETURN_IF_ERROR(CheckEventRefs(pdu, "auth_events", kMaxAuthEvents,
                                 format.event_id_format));
  return CheckSize(pdu, format.json);
}

}  // namespace myelin::event
