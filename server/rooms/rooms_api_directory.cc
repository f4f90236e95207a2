// Room aliases and directory visibility. Spec: client-server-api, "Room
// aliases" (directory.yaml: PUT/GET/DELETE /directory/room/{roomAlias},
// GET /rooms/{roomId}/aliases) and "Published room directory"
// (list_public_rooms.yaml: GET/PUT /directory/list/room/{roomId}); also the
// alias pieces of createRoom, join and m.room.canonical_alias.
//
// Permissions follow Synapse, which clients and admins expect: an alias is
// created by a member of its room; deleted by its creator, a server admin or
// a member who may send m.room.canonical_alias; the same power publishes a
// room. Aliases of other servers need federation, which is not built yet.
#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/auth/auth.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"
#include "dag/pdu/power_levels.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kCanonicalAlias = "m.room.canonical_alias";
constexpr std::string_view kNoFederation =
    "federation is not available on this server yet";

Response EmptyJson() { return Response::Json("{}"); }

absl::Status AliasNotFound(std::string_view alias) {
  return NotFound(absl::StrCat("Room alias ", AV(alias), " not found"));
}

// A syntactically valid alias of this server. Spec: appendices, "Room
// Aliases"; like Synapse, whitespace is refused too.
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

// The room `alias` maps to. Remote aliases: M_NOT_FOUND explaining why.
absl::StatusOr<std::string> Lookup(const RoomsContext& context,
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

// The content of the room's current state event (type, state_key), or
// nullopt when there is none.
absl::StatusOr<std::optional<boost::json::object>> StateContent(
    const RoomsContext& context, std::string_view room_id,
    std::string_view type, std::string_view state_key = "") {
  auto pdu = context.writer->CurrentState(room_id, type, state_key);
  if (absl::IsNotFound(pdu.status())) return std::nullopt;
  RETURN_IF_ERROR(pdu.status());
  return std::optional<boost::json::object>((*pdu)->pdu.content());
}

bool IsJoined(const std::optional<boost::json::object>& member) {
  if (!member) return false;
  const auto* membership = member->if_contains("membership");
  return membership != nullptr && membership->is_string() &&
         membership->as_string() == "join";
}

// Synapse's check_can_change_room_list: a server admin, or a joined member
// whose power reaches the level needed to send m.room.canonical_alias.
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
                   StateContent(context, room_id, event_type::kMember, user));
  return IsJoined(member);
}

// PUT /directory/room/{roomAlias}. Spec: directory.yaml setRoomAlias.
absl::StatusOr<Response> PutAlias(const RoomsContext* context, const Request& r) {
  std::string_view alias = r.Param("roomAlias");
  RETURN_IF_ERROR(CheckLocalAlias(*context, alias));
  ASSIGN_OR_RETURN(std::string room_id, RequiredString(r.json.as_object(), "room_id"));
  RETURN_IF_ERROR(context->writer->RulesOf(room_id).status());
  const std::string& user = r.principal.user_id;
  if (!IsServerAdmin(*context, user)) {
    ASSIGN_OR_RETURN(bool joined, IsJoinedMember(*context, room_id, user));
    if (!joined) return Forbidden("You must be in the room to give it an alias");
  }
  RETURN_IF_ERROR(AddNewRoomAlias(*context, alias, room_id, user));
  return EmptyJson();
}

// GET /directory/room/{roomAlias}. Spec: directory.yaml getRoomIdByAlias.
absl::StatusOr<Response> GetAlias(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(std::string room_id, Lookup(*context, r.Param("roomAlias")));
  boost::json::array servers{boost::json::string(context->writer->server_name())};
  return Response::Json(boost::json::serialize(
      boost::json::object{{"room_id", room_id}, {"servers", std::move(servers)}}));
}

// Removes `alias` from the room's m.room.canonical_alias event, as Synapse
// does (Spec: directory.yaml deleteRoomAlias, "Servers may choose to update
// the alt_aliases"). Best effort: the deletion stands if `user` may not.
void DropFromCanonicalAlias(const RoomsContext& context,
                            std::string_view room_id, std::string_view alias,
                            std::string_view user) {
  auto content = StateContent(context, room_id, kCanonicalAlias);
  if (!content.ok() || !*content) return;
  boost::json::object updated = **content;
  bool changed = false;
  if (const auto* main = updated.if_contains("alias");
      main != nullptr && main->is_string() && main->as_string() == alias) {
    updated.erase("alias");
    changed = true;
  }
  if (auto* alt = updated.if_contains("alt_aliases"); alt && alt->is_array()) {
    auto& list = alt->as_array();
    size_t before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const boost::json::value& v) {
                                return v.is_string() && v.as_string() == alias;
                              }),
               list.end());
    changed = changed || list.size() != before;
  }
  if (!changed) return;
  event::EventDraft draft{std::string(room_id), std::string(kCanonicalAlias),
                          std::string(""), std::string(user),
                          std::move(updated), std::nullopt};
  (void)context.writer->Send(draft);
}

// DELETE /directory/room/{roomAlias}. Spec: directory.yaml deleteRoomAlias.
absl::StatusOr<Response> DeleteAlias(const RoomsContext* context,
                                     const Request& r) {
  std::string_view alias = r.Param("roomAlias");
  ASSIGN_OR_RETURN(std::string room_id, Lookup(*context, alias));
  ASSIGN_OR_RETURN(std::optional<storage::AliasRecord> record,
                   context->directory->GetAlias(alias));
  if (!record) return AliasNotFound(alias);
  const std::string& user = r.principal.user_id;
  if (record->creator != user) {
    ASSIGN_OR_RETURN(bool allowed, CanChangeRoomList(*context, room_id, user));
    if (!allowed) {
      return Forbidden("You may only delete aliases you created, or need "
                       "the power to change the room's canonical alias");
    }
  }
  absl::StatusOr<storage::AliasRecord> deleted =
      context->directory->DeleteAlias(alias);
  if (absl::IsNotFound(deleted.status())) return AliasNotFound(alias);
  RETURN_IF_ERROR(deleted.status());
  DropFromCanonicalAlias(*context, room_id, alias, user);
  return EmptyJson();
}

// GET /rooms/{roomId}/aliases. Spec: directory.yaml getLocalAliases —
// members, or anyone when the room is world_readable.
absl::StatusOr<Response> LocalAliases(const RoomsContext* context,
                                      const Request& r) {
  std::string room_id(r.Param("roomId"));
  absl::Status forbidden = Forbidden("You are not a member of this room");
  absl::StatusOr<const RoomVersionRules*> rules = context->writer->RulesOf(room_id);
  if (absl::IsNotFound(rules.status())) return forbidden;
  RETURN_IF_ERROR(rules.status());
  if (!IsServerAdmin(*context, r.principal.user_id)) {
    ASSIGN_OR_RETURN(bool joined,
                     IsJoinedMember(*context, room_id, r.principal.user_id));
    ASSIGN_OR_RETURN(auto history,
                     StateContent(*context, room_id, "m.room.history_visibility"));
    const auto* visibility =
        history ? history->if_contains("history_visibility") : nullptr;
    bool world_readable = visibility != nullptr && visibility->is_string() &&
                          visibility->as_string() == "world_readable";
    if (!joined && !world_readable) return forbidden;
  }
  ASSIGN_OR_RETURN(std::vector<std::string> aliases,
                   context->directory->AliasesOf(room_id));
  boost::json::array list;
  for (const std::string& alias : aliases) list.emplace_back(alias);
  return Response::Json(
      boost::json::serialize(boost::json::object{{"aliases", std::move(list)}}));
}

// GET /directory/list/room/{roomId}. Spec: getRoomVisibilityOnDirectory.
absl::StatusOr<Response> GetVisibility(const RoomsContext* context,
                                       const Request& r) {
  std::string room_id(r.Param("roomId"));
  RETURN_IF_ERROR(context->writer->RulesOf(room_id).status());
  ASSIGN_OR_RETURN(bool published, context->directory->IsPublished(room_id));
  return Response::Json(boost::json::serialize(boost::json::object{
      {"visibility", published ? "public" : "private"}}));
}

// PUT /directory/list/room/{roomId}. Spec: setRoomVisibilityOnDirectory;
// "visibility" defaults to public.
absl::StatusOr<Response> PutVisibility(const RoomsContext* context,
                                       const Request& r) {
  std::string room_id(r.Param("roomId"));
  std::string visibility = "public";
  if (const auto* value = r.json.as_object().if_contains("visibility")) {
    if (!value->is_string()) return BadJson("visibility must be a string");
    visibility = std::string(value->as_string());
  }
  if (visibility != "public" && visibility != "private") {
    return InvalidParam("visibility must be public or private");
  }
  RETURN_IF_ERROR(context->writer->RulesOf(room_id).status());
  ASSIGN_OR_RETURN(bool allowed,
                   CanChangeRoomList(*context, room_id, r.principal.user_id));
  if (!allowed) {
    return Forbidden("You need the power to change the room's canonical "
                     "alias to change its directory visibility");
  }
  RETURN_IF_ERROR(
      context->directory->SetPublished(room_id, visibility == "public"));
  return EmptyJson();
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
  absl::StatusOr<std::string> target = Lookup(context, text);
  if (target.ok() && *target == room_id) return absl::OkStatus();
  if (!target.ok() && !absl::IsNotFound(target.status())) return target.status();
  return MatrixError(400, "M_BAD_ALIAS",
                     absl::StrCat("The alias ", AV(text),
                                  " does not point to this room"));
}

}  // namespace

absl::StatusOr<std::string> ResolveRoom(const RoomsContext& context,
                                        std::string_view room_id_or_alias) {
  if (room_id_or_alias.empty() || room_id_or_alias[0] != '#') {
    return std::string(room_id_or_alias);
  }
  return Lookup(context, room_id_or_alias);
}

// Like Synapse, only aliases the event adds are checked (an alias deleted
// since may stay listed); an alt_aliases that is not a list is refused.
absl::Status CheckStateEvent(const RoomsContext& context,
                             const event::EventDraft& draft) {
  if (draft.type != kCanonicalAlias || draft.state_key != "") {
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(auto previous,
                   StateContent(context, draft.room_id, kCanonicalAlias));
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
                   StateContent(context, old_room, kCanonicalAlias));
  if (!canonical || canonical->empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(auto present,
                   StateContent(context, new_room, kCanonicalAlias));
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

absl::Status AddDirectoryRoutes(http::RouteTable* table,
                                const RoomsContext* context) {
  struct Spec {
    http::Method method;
    const char* pattern;
    http::Auth auth;
    absl::StatusOr<Response> (*handler)(const RoomsContext*, const Request&);
  };
  using http::Auth;
  using http::Method;
  // Spec: the GET endpoints need no access token.
  const Spec specs[] = {
      {Method::kPut, "/directory/room/{roomAlias}", Auth::kUser, &PutAlias},
      {Method::kGet, "/directory/room/{roomAlias}", Auth::kOptional, &GetAlias},
      {Method::kDelete, "/directory/room/{roomAlias}", Auth::kUser, &DeleteAlias},
      {Method::kGet, "/rooms/{roomId}/aliases", Auth::kUser, &LocalAliases},
      {Method::kGet, "/directory/list/room/{roomId}", Auth::kOptional,
       &GetVisibility},
      {Method::kPut, "/directory/list/room/{roomId}", Auth::kUser,
       &PutVisibility},
  };
  for (const Spec& spec : specs) {
    http::Route route;
    route.method = spec.method;
    route.pattern = spec.pattern;
    route.auth = spec.auth;
    route.body = spec.method == Method::kPut ? http::Body::kJson : http::Body::kAny;
    route.handler = [context, handler = spec.handler](const Request& r) {
      return handler(context, r);
    };
    RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(route)));
  }
  return absl::OkStatus();
}

}  // namespace myelin::rooms
