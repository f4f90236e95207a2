// Room alias and directory rules (directory_rules.h), and the alias pieces
// of createRoom, join/knock, m.room.canonical_alias and room upgrades
// (rooms_api.h). Spec: client-server-api, "Room aliases".
#include "server/rooms/directory_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/auth/auth.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"
#include "dag/pdu/power_levels.h"

namespace myelin::rooms {
namespace {

constexpr std::string_view kNoFederation =
    "federation is not available on this server yet";

bool IsJoined(const std::optional<boost::json::object>& member) {
  if (!member) return false;
  const auto* membership = member->if_contains("membership");
  return membership != nullptr && membership->is_string() &&
         membership->as_string() == "join";
}

// One alias of a canonical alias event. Spec: room_state.yaml.
absl::Status CheckCanonical(const RoomsContext& context,
                            const boost::json::value& alias,
                            std::string_view room_id) {
  if (!alias.is_string() || !ids::ParseRoomAlias(alias.as_string()).ok()) {
    return InvalidParam(absl::StrCat("Invalid room alias ",
                                     boost::json::serialize(alias)));
  }
  std::string_view text = alias.as_string();
  absl::StatusOr<std::string> target = LookupAlias(context, text);
  if (target.ok() && *target == room_id) return absl::OkStatus();
  if (!target.ok() && !absl::IsNotFound(target.status())) return target.status();
  // Say why when the alias is unknown or of another server.
  std::string why = target.ok() ? "" : absl::StrCat(": ", target.status().message());
  return MatrixError(400, "M_BAD_ALIAS",
                     absl::StrCat("The alias ", AV(text),
                                  " does not point to this room", why));
}


}  // namespace

absl::Status AliasNotFound(std::string_view alias) {
  return NotFound(absl::StrCat("Room alias ", AV(alias), " not found"));
}

absl::Status CheckLocalAlias(const RoomsContext& context,
                             std::string_view alias) {
  absl::StatusOr<ids::IdParts> parts = ids::ParseRoomAlias(alias);
  if (!parts.ok()) return InvalidParam("Room alias invalid");
  for (char c : parts->localpart) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
      return InvalidParam("Room alias may not contain whitespace");
    }
  }
  if (parts->server_name != context.writer->server_name()) {
    return InvalidParam("Room alias must be on this server");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> LookupAlias(const RoomsContext& context,
                                   std::string_view alias) {
  absl::StatusOr<ids::IdParts> parts = ids::ParseRoomAlias(alias);
  if (!parts.ok()) return InvalidParam("Room alias invalid");
  if (parts->server_name != context.writer->server_name()) {
    return NotFound(absl::StrCat("Cannot resolve room alias ", AV(alias),
                                 " of another server: ", AV(kNoFederation)));
  }
  ASSIGN_OR_RETURN(std::optional<storage::AliasRecord> record,
                   context.directory->GetAlias(alias));
  if (!record) return AliasNotFound(alias);
  return record->room_id;
}

bool IsServerAdmin(const RoomsContext& context, std::string_view user) {
  return context.is_server_admin && context.is_server_admin(user);
}

absl::StatusOr<std::optional<boost::json::object>> CurrentContent(
    const RoomsContext& context, std::string_view room_id,
    std::string_view type, std::string_view state_key) {
  auto pdu = context.writer->CurrentState(room_id, type, state_key);
  if (absl::IsNotFound(pdu.status())) return std::nullopt;
  RETURN_IF_ERROR(pdu.status());
  return std::optional<boost::json::object>((*pdu)->pdu.content());
}

absl::StatusOr<bool> CanChangeRoomList(const RoomsContext& context,
                                       std::string_view room_id,
                                       std::string_view user) {
  if (IsServerAdmin(context, user)) return true;
  ASSIGN_OR_RETURN(const RoomVersionRules* rules,
                   context.writer->RulesOf(room_id));
  AuthState state;
  std::vector<std::shared_ptr<const CachedPdu>> held;
  for (const StateKey& key :
       {StateKey(event_type::kCreate, ""), StateKey(event_type::kPowerLevels, ""),
        StateKey(event_type::kMember, user)}) {
    auto pdu = context.writer->CurrentState(room_id, key.first, key.second);
    if (absl::IsNotFound(pdu.status())) continue;
    RETURN_IF_ERROR(pdu.status());
    state[key] = &(*pdu)->pdu;
    held.push_back(*std::move(pdu));
  }
  auto member = state.find(StateKey(event_type::kMember, user));
  if (member == state.end() ||
      !IsJoined(member->second->content())) {
    return false;
  }
  ASSIGN_OR_RETURN(int64_t level, UserPowerLevel(user, *rules, state));
  // Spec: m.room.power_levels — state_default is 0 in a room without one.
  int64_t required = 0;
  if (auto levels = state.find(StateKey(event_type::kPowerLevels, ""));
      levels != state.end()) {
    ASSIGN_OR_RETURN(PowerLevels parsed,
                     ParsePowerLevels(levels->second->content(), *rules));
    required = parsed.EventLevel(kCanonicalAlias, /*is_state=*/true);
  }
  return level >= required;
}

absl::StatusOr<bool> IsJoinedMember(const RoomsContext& context,
                                    std::string_view room_id,
                                    std::string_view user) {
  ASSIGN_OR_RETURN(auto member,
                   CurrentContent(context, room_id, event_type::kMember, user));
  return IsJoined(member);
}

absl::StatusOr<std::string> ResolveRoom(const RoomsContext& context,
                                        std::string_view room_id_or_alias) {
  if (room_id_or_alias.empty() || room_id_or_alias[0] != '#') {
    return std::string(room_id_or_alias);
  }
  return LookupAlias(context, room_id_or_alias);
}

// Like Synapse, only aliases the event adds are checked (an alias deleted
// since may stay listed); an alt_aliases that is not a list is refused.
absl::Status CheckStateEvent(const RoomsContext& context,
                             const event::EventDraft& draft) {
  if (draft.type != kCanonicalAlias || draft.state_key != "") {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(auto previous,
                   CurrentContent(context, draft.room_id, kCanonicalAlias));
  boost::json::object before = previous.value_or(boost::json::object());
  const boost::json::value* alias = draft.content.if_contains("alias");
  if (alias != nullptr && !alias->is_null() &&
      !(alias->is_string() && alias->as_string().empty())) {
    const boost::json::value* old = before.if_contains("alias");
    if (old == nullptr || *old != *alias) {
      RETURN_IF_ERROR(CheckCanonical(context, *alias, draft.room_id));
    }
  }
  const boost::json::value* alt = draft.content.if_contains("alt_aliases");
  if (alt == nullptr) return absl::OkStatus();
  if (!alt->is_array()) return InvalidParam("alt_aliases must be a list");
  const boost::json::value* old_alt = before.if_contains("alt_aliases");
  for (const boost::json::value& item : alt->as_array()) {
    if (old_alt != nullptr && old_alt->is_array() &&
        std::find(old_alt->as_array().begin(), old_alt->as_array().end(),
                  item) != old_alt->as_array().end()) {
      continue;
    }
    RETURN_IF_ERROR(CheckCanonical(context, item, draft.room_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<NewRoomDirectory> DirectoryForNewRoom(
    const RoomsContext& context, const boost::json::object& body) {
  NewRoomDirectory result;
  if (const auto* visibility = body.if_contains("visibility")) {
    if (!visibility->is_string() || (visibility->as_string() != "public" &&
                                     visibility->as_string() != "private")) {
      return InvalidParam("visibility must be public or private");
    }
    result.publish = visibility->as_string() == "public";
  }
  const auto* name = body.if_contains("room_alias_name");
  if (name == nullptr) return result;
  if (!name->is_string()) return BadJson("room_alias_name must be a string");
  std::string_view localpart = name->as_string();
  if (localpart.find(':') != std::string_view::npos) {
    return InvalidParam("room_alias_name is a local part: no ':'");
  }
  result.alias = absl::StrCat("#", AV(localpart), ":",
                              context.writer->server_name());
  RETURN_IF_ERROR(CheckLocalAlias(context, result.alias));
  ASSIGN_OR_RETURN(auto taken, context.directory->GetAlias(result.alias));
  if (taken) {
    return MatrixError(400, errcode::kRoomInUse, "Room alias already taken");
  }
  return result;
}

absl::Status AddNewRoomAlias(const RoomsContext& context,
                             std::string_view alias, std::string_view room_id,
                             std::string_view creator) {
  absl::Status status = context.directory->CreateAlias(alias, room_id, creator);
  if (absl::IsAlreadyExists(status)) {
    // Spec: directory.yaml — 409 for a taken alias; createRoom's 400
    // M_ROOM_IN_USE is checked before the room exists.
    return MatrixError(409, errcode::kRoomInUse,
                       absl::StrCat("Room alias ", AV(alias), " already exists"));
  }
  return status;
}

absl::Status MoveDirectoryToUpgradedRoom(const RoomsContext& context,
                                         std::string_view old_room,
                                         std::string_view new_room,
                                         std::string_view user) {
  RETURN_IF_ERROR(context.directory->MoveRoom(old_room, new_room).status());
  ASSIGN_OR_RETURN(auto canonical,
                   CurrentContent(context, old_room, kCanonicalAlias));
  if (!canonical || canonical->empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto present,
                   CurrentContent(context, new_room, kCanonicalAlias));
  if (!present) {
    event::EventDraft to_new{std::string(new_room), std::string(kCanonicalAlias),
                             std::string(""), std::string(user), *canonical,
                             std::nullopt};
    RETURN_IF_ERROR(context.writer->Send(to_new).status());
  }
  // Best effort, as in Synapse: the aliases no longer point to the old room.
  event::EventDraft clear_old{std::string(old_room), std::string(kCanonicalAlias),
                              std::string(""), std::string(user),
                              boost::json::object(), std::nullopt};
  (void)context.writer->Send(clear_old);
  return absl::OkStatus();
}

}  // namespace myelin::rooms
