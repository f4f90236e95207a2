// Auth events selection and rule 3 (2 before v12): checks on the event's
// auth_events list.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "dag/auth/auth.h"
#include "dag/auth/auth_context.h"

namespace myelin {

using auth_internal::Reject;

std::vector<StateKey> AuthEventsSelection(
    std::string_view type, std::string_view sender,
    const std::optional<std::string>& state_key,
    const boost::json::object& content, const RoomVersionRules& rules) {
  std::vector<StateKey> keys;
  // The create event has no auth events.
  if (type == event_type::kCreate) return keys;
  // Spec: server-server-api "Auth events selection" (changed in 1.16: since
  // v12 the create event is implied by the room id, not selected).
  if (!rules.room_id_is_create_event_id) {
    keys.emplace_back(event_type::kCreate, "");
  }
  keys.emplace_back(event_type::kPowerLevels, "");
  keys.emplace_back(event_type::kMember, sender);
  if (type != event_type::kMember || !state_key) return keys;

  if (*state_key != sender) keys.emplace_back(event_type::kMember, *state_key);
  const boost::json::value* m = content.if_contains("membership");
  const std::string_view membership =
      m != nullptr && m->is_string() ? std::string_view(m->get_string()) : "";
  if (membership == "join" || membership == "invite" || membership == "knock") {
    keys.emplace_back(event_type::kJoinRules, "");
  }
  if (membership == "invite") {
    const boost::json::value* tpi = content.if_contains("third_party_invite");
    const boost::json::value* signed_v =
        tpi != nullptr && tpi->is_object()
            ? tpi->get_object().if_contains("signed")
            : nullptr;
    const boost::json::value* token =
        signed_v != nullptr && signed_v->is_object()
            ? signed_v->get_object().if_contains("token")
            : nullptr;
    if (token != nullptr && token->is_string()) {
      keys.emplace_back(event_type::kThirdPartyInvite,
                        std::string_view(token->get_string()));
    }
  }
  if (membership == "join" && rules.restricted_join_rule) {
    const boost::json::value* via =
        content.if_contains("join_authorised_via_users_server");
    if (via != nullptr && via->is_string()) {
      keys.emplace_back(event_type::kMember,
                        std::string_view(via->get_string()));
    }
  }
  return keys;
}

std::vector<StateKey> AuthEventsSelection(const Pdu& event,
                                          const RoomVersionRules& rules) {
  return AuthEventsSelection(event.type(), event.sender(), event.state_key(),
                             event.content(), rules);
}

AuthState AuthStateFromEvents(std::span<const Pdu* const> auth_events) {
  AuthState state;
  for (const Pdu* e : auth_events) {
    if (e->state_key()) state[StateKey(e->type(), *e->state_key())] = e;
  }
  return state;
}

absl::Status CheckAuthEvents(const Pdu& event, const RoomVersionRules& rules,
                             std::span<const Pdu* const> auth_events) {
  const std::vector<StateKey> allowed = AuthEventsSelection(event, rules);
  absl::flat_hash_set<StateKey> seen;
  bool has_create = false;
  for (const Pdu* auth : auth_events) {
    if (!auth->state_key()) {
      return Reject("3.2", absl::StrFormat("auth event %s is not a state event",
                                           auth->event_id()));
    }
    StateKey key(auth->type(), *auth->state_key());
    // Rule 3.1.
    if (!seen.insert(key).second) {
      return Reject("3.1", absl::StrFormat("duplicate auth event for (%s, %s)",
                                           key.first, key.second));
    }
    // Rule 3.2 (since v12 the create event must not be selected).
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Reject("3.2",
                    absl::StrFormat("auth event (%s, %s) is not selected",
                                    key.first, key.second));
    }
    has_create |= auth->Is(event_type::kCreate);
    // Rule 3.5.
    if (auth->room_id() && auth->room_id() != event.room_id()) {
      return Reject("3.5", absl::StrFormat("auth event %s is in another room",
                                           auth->event_id()));
    }
  }
  // Rule 2.4 of v1–v11.
  if (!rules.room_id_is_create_event_id && !has_create &&
      !event.Is(event_type::kCreate)) {
    return Reject("3.4", "no m.room.create among the auth events");
  }
  return absl::OkStatus();
}

}  // namespace myelin
