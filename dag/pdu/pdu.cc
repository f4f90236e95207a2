#include "dag/pdu/pdu.h"

#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"

namespace myelin {
namespace {

namespace json = boost::json;

absl::Status Invalid(std::string_view field, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrFormat("PDU field '%s' %s", field, why));
}

absl::StatusOr<std::string> RequiredString(const json::object& o,
                                           std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (!v->is_string()) return Invalid(key, "is not a string");
  return std::string(v->get_string());
}

absl::StatusOr<std::optional<std::string>> OptionalString(
    const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Invalid(key, "is not a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

absl::StatusOr<int64_t> OptionalInt(const json::object& o,
                                    std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return Invalid(key, "is not an integer");
}

// prev_events / auth_events: a list of event ids (v3+), or of
// [event_id, {hashes}] pairs (v1, v2; rooms/v1 "Event format").
absl::StatusOr<std::vector<std::string>> EventIdList(const json::object& o,
                                                     std::string_view key,
                                                     bool allow_pairs) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return Invalid(key, "is missing");
  if (!v->is_array()) return Invalid(key, "is not an array");
  std::vector<std::string> ids;
  ids.reserve(v->get_array().size());
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) {
      ids.emplace_back(item.get_string());
    } else if (allow_pairs && item.is_array() && !item.get_array().empty() &&
               item.get_array()[0].is_string()) {
      ids.emplace_back(item.get_array()[0].get_string());
    } else {
      return Invalid(key, "has an entry that is not an event id");
    }
  }
  return ids;
}

}  // namespace

absl::StatusOr<Pdu> Pdu::Parse(const json::value& value,
                               const RoomVersionRules& rules,
                               std::string_view event_id) {
  if (!value.is_object()) return Invalid("(root)", "is not an object");
  const json::object& o = value.get_object();
  Pdu pdu;
  if (!event_id.empty()) {
    pdu.event_id_ = std::string(event_id);
  } else {
    ASSIGN_OR_RETURN(pdu.event_id_, RequiredString(o, "event_id"));
  }
  ASSIGN_OR_RETURN(pdu.type_, RequiredString(o, "type"));
  ASSIGN_OR_RETURN(pdu.sender_, RequiredString(o, "sender"));
  ASSIGN_OR_RETURN(pdu.room_id_, OptionalString(o, "room_id"));
  // Spec: rooms/fragments/v12-event-format — the create event has no
  // room_id; every other event needs one.
  if (!pdu.room_id_ &&
      !(rules.room_id_is_create_event_id && pdu.type_ == event_type::kCreate)) {
    return Invalid("room_id", "is missing");
  }
  ASSIGN_OR_RETURN(pdu.state_key_, OptionalString(o, "state_key"));
  ASSIGN_OR_RETURN(pdu.origin_server_ts_, OptionalInt(o, "origin_server_ts"));
  ASSIGN_OR_RETURN(pdu.depth_, OptionalInt(o, "depth"));
  ASSIGN_OR_RETURN(pdu.prev_events_,
                   EventIdList(o, "prev_events", rules.event_id_in_event));
  ASSIGN_OR_RETURN(pdu.auth_events_,
                   EventIdList(o, "auth_events", rules.event_id_in_event));
  const json::value* content = o.if_contains("content");
  if (content == nullptr || !content->is_object()) {
    return Invalid("content", "is missing or not an object");
  }
  pdu.content_ = content->get_object();
  // Spec: rooms/fragments/v11-event-format — `redacts` moved into content.
  ASSIGN_OR_RETURN(
      pdu.redacts_,
      OptionalString(rules.redacts_in_content ? pdu.content_ : o, "redacts"));
  return pdu;
}

absl::StatusOr<Pdu> Pdu::ParseText(std::string_view text,
                                   const RoomVersionRules& rules,
                                   std::string_view event_id) {
  std::error_code ec;
  json::value value =
      json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("PDU is not valid JSON: ", ec.message()));
  }
  return Parse(value, rules, event_id);
}

std::optional<std::string_view> Pdu::membership() const {
  return ContentString("membership");
}

std::optional<std::string_view> Pdu::ContentString(std::string_view key) const {
  const json::value* v = content_.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::string_view ServerNameOf(std::string_view id) {
  size_t colon = id.find(':');
  if (colon == std::string_view::npos) return {};
  return id.substr(colon + 1);
}

std::string CreateEventIdFromRoomId(std::string_view room_id) {
  std::string id(room_id);
  if (!id.empty()) id[0] = '$';
  return id;
}

}  // namespace myelin
