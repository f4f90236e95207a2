// Size and shape checks for a PDU received over federation or built locally,
// before hashes, signatures and auth rules are looked at.
// Spec: client-server-api "Size limits"; server-server-api "PDUs" and
// data/api/server-server/definitions/pdu_v1 … pdu_v12 (+ components/).
//
// Pure; thread-safe. Errors are M_BAD_JSON naming the offending member,
// M_TOO_LARGE for an event over 65536 bytes.
#ifndef MYELIN_DAG_EVENT_PDU_CHECKS_H_
#define MYELIN_DAG_EVENT_PDU_CHECKS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "dag/room_version/room_version.h"

namespace myelin::event {

// Spec: client-server-api, Size limits.
inline constexpr size_t kMaxPduBytes = 65536;
inline constexpr size_t kMaxTypeBytes = 255;
inline constexpr size_t kMaxStateKeyBytes = 255;
// Spec: pdu_v1 … pdu_v12 schemas: "less than or equal to" these counts.
inline constexpr size_t kMaxPrevEvents = 20;
inline constexpr size_t kMaxAuthEvents = 10;
// Spec: pdu schemas, depth: "less than the maximum value for an integer
// (2^63 - 1)".
inline constexpr int64_t kMaxDepth = INT64_MAX;

// The room-version facts the checks need (all in RoomVersionRules).
struct PduFormat {
  EventIdFormat event_id_format;   // v1/v2: event_id present, id/hash pairs.
  JsonStrictness json;             // v6+: canonical JSON number limits.
  // v12: m.room.create carries no room_id, and room ids are the create
  // event's hash ("!" + URL-safe base64) rather than "!opaque:domain".
  bool create_has_no_room_id;
};

inline PduFormat PduFormatOf(const RoomVersionRules& rules) {
  return {rules.event_id_format, rules.json, rules.room_id_is_create_event_id};
}

// Checks required members and their types, identifier grammar and byte
// limits, the prev_events/auth_events shape for the format, depth and
// origin_server_ts ranges, and the canonical size (whole event, signatures
// and unsigned included) against kMaxPduBytes.
absl::Status CheckPdu(const boost::json::object& pdu, const PduFormat& format);

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_PDU_CHECKS_H_
