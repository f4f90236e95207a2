// A parsed, immutable view of a PDU, enough for authorization and state
// resolution. Signatures, hashes and redaction live in dag/event; this type
// only reads the fields the auth rules and state resolution look at.
//
// Spec: server-server-api "PDUs"; rooms/fragments/v1-… and v4-event-format
// (auth_events/prev_events shapes), v12-event-format (no room_id on create).
//
// Thread safety: immutable after Parse(); safe to share across threads.
#ifndef MYELIN_DAG_PDU_PDU_H_
#define MYELIN_DAG_PDU_PDU_H_

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dag/room_version/room_version.h"

namespace myelin {

// Event types the auth rules and state resolution care about.
namespace event_type {
inline constexpr std::string_view kCreate = "m.room.create";
inline constexpr std::string_view kMember = "m.room.member";
inline constexpr std::string_view kPowerLevels = "m.room.power_levels";
inline constexpr std::string_view kJoinRules = "m.room.join_rules";
inline constexpr std::string_view kThirdPartyInvite =
    "m.room.third_party_invite";
inline constexpr std::string_view kAliases = "m.room.aliases";
inline constexpr std::string_view kRedaction = "m.room.redaction";
}  // namespace event_type

class Pdu {
 public:
  // Parses `json` as a PDU of a room with `rules`. The event id is
  // `event_id` when given (v3+ ids are reference hashes computed by
  // dag/event), else the "event_id" member of the JSON. Returns
  // InvalidArgument naming the bad field; never throws.
  static absl::StatusOr<Pdu> Parse(const boost::json::value& json,
                                   const RoomVersionRules& rules,
                                   std::string_view event_id = {});
  // Same, from JSON text.
  static absl::StatusOr<Pdu> ParseText(std::string_view text,
                                       const RoomVersionRules& rules,
                                       std::string_view event_id = {});

  const std::string& event_id() const { return event_id_; }
  // Absent only on v12 create events.
  const std::optional<std::string>& room_id() const { return room_id_; }
  const std::string& type() const { return type_; }
  const std::optional<std::string>& state_key() const { return state_key_; }
  bool is_state() const { return state_key_.has_value(); }
  const std::string& sender() const { return sender_; }
  int64_t origin_server_ts() const { return origin_server_ts_; }
  int64_t depth() const { return depth_; }
  // Event ids only; the v1/v2 hashes of [[id, {hashes}]] are dropped.
  const std::vector<std::string>& prev_events() const { return prev_events_; }
  const std::vector<std::string>& auth_events() const { return auth_events_; }
  // Top-level `redacts` before v11, `content.redacts` from v11.
  const std::optional<std::string>& redacts() const { return redacts_; }
  const boost::json::object& content() const { return content_; }

  bool Is(std::string_view type) const { return type_ == type; }
  bool IsState(std::string_view type, std::string_view state_key) const {
    return type_ == type && state_key_ && *state_key_ == state_key;
  }
  // content.membership when it is a string.
  std::optional<std::string_view> membership() const;
  // A string member of content, if present and a string.
  std::optional<std::string_view> ContentString(std::string_view key) const;

 private:
  Pdu() = default;

  std::string event_id_;
  std::optional<std::string> room_id_;
  std::string type_;
  std::optional<std::string> state_key_;
  std::string sender_;
  int64_t origin_server_ts_ = 0;
  int64_t depth_ = 0;
  std::vector<std::string> prev_events_;
  std::vector<std::string> auth_events_;
  std::optional<std::string> redacts_;
  boost::json::object content_;
};

// The server name of a user id ("@alice:example.com" -> "example.com"), or
// empty when there is no ':'.
std::string_view ServerNameOf(std::string_view id);

// Spec: rooms/v12 — the room id is the create event's id with '!' for '$'.
std::string CreateEventIdFromRoomId(std::string_view room_id);

}  // namespace myelin

#endif  // MYELIN_DAG_PDU_PDU_H_
