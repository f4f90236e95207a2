// The top of the authorization rules: create, room id, m.federate, aliases,
// the general sender checks, third-party invites, required power level,
// state_key ownership and redactions. Membership and power levels have their
// own files.
#include "dag/auth/auth.h"

#include "absl/strings/str_format.h"
#include "dag/auth/auth_context.h"
#include "dag/base/status_macros.h"

namespace myelin {
namespace {

using auth_internal::AuthContext;
using auth_internal::LooksLikeUserId;
using auth_internal::Reject;

// Rule 1: m.room.create.
absl::Status CheckCreate(const Pdu& event, const RoomVersionRules& rules) {
  // Rule 1.1 (since v1).
  if (!event.prev_events().empty()) {
    return Reject("1.1", "m.room.create has prev_events");
  }
  if (rules.room_id_is_create_event_id) {
    // Rule 1.2 (since v12): the room id is derived from the event id.
    if (event.room_id()) return Reject("1.2", "m.room.create has a room_id");
  } else if (!event.room_id() ||
             ServerNameOf(*event.room_id()) != ServerNameOf(event.sender())) {
    // Rule 1.2 (v1–v11).
    return Reject("1.2", "room_id domain does not match sender domain");
  }
  // Rule 1.3 (since v1).
  if (const boost::json::value* v =
          event.content().if_contains("room_version")) {
    if (!v->is_string() ||
        FindRoomVersion(std::string_view(v->get_string())) == nullptr) {
      return Reject("1.3", "content.room_version is not a recognised version");
    }
  }
  // Rule 1.4 (v1–v10): content.creator is required.
  if (rules.require_create_creator && !event.content().contains("creator")) {
    return Reject("1.4", "content has no creator");
  }
  // Rule 1.4 (since v12): additional_creators must be user ids.
  if (rules.privileged_creators) {
    if (const boost::json::value* v =
            event.content().if_contains("additional_creators")) {
      if (!v->is_array()) {
        return Reject("1.4", "additional_creators is not an array");
      }
      for (const boost::json::value& c : v->get_array()) {
        if (!c.is_string() ||
            !LooksLikeUserId(std::string_view(c.get_string()))) {
          return Reject("1.4", "additional_creators has an invalid user id");
        }
      }
    }
  }
  return absl::OkStatus();
}

// Rule 2 (since v12): the room id names an accepted create event.
absl::Status CheckRoomIdIsCreate(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  if (!event.room_id() ||
      CreateEventIdFromRoomId(*event.room_id()) != ctx.create().event_id()) {
    return Reject("2", "room_id is not the m.room.create event's id");
  }
  return absl::OkStatus();
}

// Rule 4 (3 before v12): m.federate.
absl::Status CheckFederate(const AuthContext& ctx) {
  const boost::json::value* federate =
      ctx.create().content().if_contains("m.federate");
  if (federate != nullptr && federate->is_bool() && !federate->get_bool() &&
      ServerNameOf(ctx.event().sender()) !=
          ServerNameOf(ctx.create().sender())) {
    return Reject("4", "room is not federated and sender is on another server");
  }
  return absl::OkStatus();
}

// Rule 4 of v1–v5 (special case): m.room.aliases.
absl::Status CheckAliases(const Pdu& event) {
  if (!event.state_key())
    return Reject("4.1 (v1-v5)", "aliases has no state_key");
  if (*event.state_key() != ServerNameOf(event.sender())) {
    return Reject("4.2 (v1-v5)", "sender domain does not match state_key");
  }
  return absl::OkStatus();
}

// Rule 11 of v1–v2: m.room.redaction.
absl::Status CheckRedactionV1(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  if (ctx.LevelOf(event.sender()) >= ctx.Level(PowerLevelField::kRedact)) {
    return absl::OkStatus();
  }
  if (event.redacts() &&
      ServerNameOf(*event.redacts()) == ServerNameOf(event.event_id())) {
    return absl::OkStatus();
  }
  return Reject("11 (v1-v2)", "sender may not redact this event");
}

// Rules 6 onwards: everything that is not create or member.
absl::Status CheckNonMember(const AuthContext& ctx) {
  const Pdu& event = ctx.event();
  const int64_t sender_level = ctx.LevelOf(event.sender());
  // Rule 6 (5 before v12).
  if (ctx.MembershipOf(event.sender()) != "join") {
    return Reject("6", "sender is not joined to the room");
  }
  // Rule 7 (6 before v12).
  if (event.Is(event_type::kThirdPartyInvite)) {
    if (sender_level >= ctx.Level(PowerLevelField::kInvite)) {
      return absl::OkStatus();
    }
    return Reject("7.1", "sender's power level is below the invite level");
  }
  // Rule 8 (7 before v12).
  if (ctx.power_levels().EventLevel(event.type(), event.is_state()) >
      sender_level) {
    return Reject("8",
                  "sender's power level is below the event's required level");
  }
  // Rule 9 (8 before v12).
  if (event.state_key() && !event.state_key()->empty() &&
      (*event.state_key())[0] == '@' && *event.state_key() != event.sender()) {
    return Reject("9", "state_key starts with '@' and is not the sender");
  }
  // Rule 10 (9 before v12).
  if (event.Is(event_type::kPowerLevels)) {
    return auth_internal::CheckPowerLevels(ctx);
  }
  // Rule 11 of v1–v2.
  if (ctx.rules().special_case_redaction_auth &&
      event.Is(event_type::kRedaction)) {
    return CheckRedactionV1(ctx);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAuth(const Pdu& event, const RoomVersionRules& rules,
                       const AuthState& state, const AuthHooks& hooks,
                       PowerLevelsCache* cache) {
  // Rule 1 (since v1).
  if (event.Is(event_type::kCreate)) return CheckCreate(event, rules);
  ASSIGN_OR_RETURN(AuthContext ctx,
                   AuthContext::Make(event, rules, state, hooks, cache));
  // Rule 2 (since v12).
  if (rules.room_id_is_create_event_id) {
    RETURN_IF_ERROR(CheckRoomIdIsCreate(ctx));
  } else if (event.room_id() != ctx.create().room_id()) {
    // Rule 3.5 (2.5 before v12), applied to the create event in state.
    return Reject("3.5", "m.room.create is from another room");
  }
  RETURN_IF_ERROR(CheckFederate(ctx));
  // Rule 4 of v1–v5.
  if (rules.special_case_aliases_auth && event.Is(event_type::kAliases)) {
    return CheckAliases(event);
  }
  // Rule 5 (4 before v12).
  if (event.Is(event_type::kMember)) return auth_internal::CheckMember(ctx);
  return CheckNonMember(ctx);
}

std::vector<std::string> RoomCreators(const Pdu& create,
                                      const RoomVersionRules& rules) {
  std::vector<std::string> creators;
  if (rules.use_room_create_sender) {
    creators.push_back(create.sender());
  } else if (auto creator = create.ContentString("creator")) {
    creators.emplace_back(*creator);
  }
  if (rules.privileged_creators) {
    if (const boost::json::value* v =
            create.content().if_contains("additional_creators");
        v != nullptr && v->is_array()) {
      for (const boost::json::value& c : v->get_array()) {
        if (c.is_string()) creators.emplace_back(c.get_string());
      }
    }
  }
  return creators;
}

absl::StatusOr<int64_t> UserPowerLevel(std::string_view user_id,
                                       const RoomVersionRules& rules,
                                       const AuthState& state) {
  // A synthetic event only carries the sender into the context.
  static const AuthHooks kNoHooks;
  auto it = state.find(StateKey(event_type::kCreate, ""));
  if (it == state.end())
    return absl::FailedPreconditionError("no create event");
  ASSIGN_OR_RETURN(AuthContext ctx, AuthContext::Make(*it->second, rules, state,
                                                      kNoHooks, nullptr));
  return ctx.LevelOf(user_id);
}

}  // namespace myelin
