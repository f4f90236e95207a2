#include "dag/event/builder.h"

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/event/hashes.h"
#include "dag/event/pdu_checks.h"
#include "dag/event/signing.h"
#include "dag/json/canonical.h"

namespace myelin::event {
namespace {

boost::json::array References(const std::vector<EventRef>& refs,
                              bool with_hashes) {
  boost::json::array out;
  for (const EventRef& ref : refs) {
    if (with_hashes) {
      out.push_back(boost::json::array{boost::json::string(ref.event_id),
                                       ref.hashes});
    } else {
      out.emplace_back(ref.event_id);
    }
  }
  return out;
}

bool IsCreate(const EventDraft& draft) {
  return draft.type == "m.room.create" && draft.state_key.has_value() &&
         draft.state_key->empty();
}

}  // namespace

absl::StatusOr<BuiltEvent> BuildEvent(const RoomVersionRules& rules,
                                      const EventDraft& draft,
                                      const DagPosition& position,
                                      int64_t origin_server_ts,
                                      const Signer& signer,
                                      std::string_view v1_local_id) {
  if (signer.key == nullptr) return absl::InvalidArgumentError("no key");
  bool v12_create = rules.room_id_is_create_event_id && IsCreate(draft);
  boost::json::object event;
  if (!v12_create) event["room_id"] = draft.room_id;
  event["type"] = draft.type;
  if (draft.state_key.has_value()) event["state_key"] = *draft.state_key;
  event["sender"] = draft.sender;
  event["content"] = draft.content;
  event["origin_server_ts"] = origin_server_ts;
  event["depth"] = position.depth;
  event["prev_events"] =
      References(position.prev_events, rules.event_id_in_event);
  event["auth_events"] =
      References(position.auth_events, rules.event_id_in_event);
  if (draft.redacts.has_value()) {
    // Spec: rooms/v11 moves `redacts` into content; older rooms keep it at
    // the top level.
    if (rules.redacts_in_content) {
      event["content"].as_object()["redacts"] = *draft.redacts;
    } else {
      event["redacts"] = *draft.redacts;
    }
  }
  std::string event_id;
  if (rules.event_id_in_event) {
    if (v1_local_id.empty()) {
      return absl::InvalidArgumentError("v1/v2 events need a local id");
    }
    event_id = absl::StrCat("$", AV(v1_local_id), ":", signer.server_name);
    event["event_id"] = event_id;
  }
  ASSIGN_OR_RETURN(event, HashAndSignEvent(std::move(event), signer.server_name,
                                           signer.key_id, *signer.key,
                                           rules.redaction, rules.json));
  if (!rules.event_id_in_event) {
    ASSIGN_OR_RETURN(event_id, ComputeEventId(event, rules.event_id_format,
                                              rules.redaction, rules.json));
  }
  // Local events pass the same checks a remote server will apply.
  RETURN_IF_ERROR(CheckPdu(event, PduFormatOf(rules)));
  BuiltEvent built;
  built.event_id = std::move(event_id);
  built.room_id =
      v12_create ? "!" + built.event_id.substr(1) : draft.room_id;
  ASSIGN_OR_RETURN(built.canonical,
                   json::EncodeCanonicalJson(event, rules.json));
  built.json = std::move(event);
  return built;
}

}  // namespace myelin::event
