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

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/rooms/directory_rules.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

Response EmptyJson() { return Response::Json("{}"); }

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
  ASSIGN_OR_RETURN(std::string room_id, LookupAlias(*context, r.Param("roomAlias")));
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
  auto content = CurrentContent(context, room_id, kCanonicalAlias);
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
  ASSIGN_OR_RETURN(std::string room_id, LookupAlias(*context, alias));
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
                     CurrentContent(*context, room_id, "m.room.history_visibility"));
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

}  // namespace

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
