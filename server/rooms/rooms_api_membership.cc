// Room membership. Spec: client-server-api, "Room membership" — joining
// (POST /rooms/{roomId}/join, /join/{roomIdOrAlias}), knocking, leaving,
// inviting, kicking, banning and unbanning. Each writes an m.room.member
// event through the room pipeline; the auth rules decide who may.
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/ids/ids.h"
#include "dag/pdu/pdu.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

// How a membership endpoint picks the target and the new membership.
enum class Target { kSelf, kBodyUserId };

struct MembershipSpec {
  const char* pattern;
  const char* membership;
  Target target;
  const char* room_param;
};

absl::StatusOr<std::string> TargetOf(const RoomsContext& context,
                                     const Request& r, Target target) {
  if (target == Target::kSelf) return r.principal.user_id;
  ASSIGN_OR_RETURN(std::string user, RequiredString(r.json.as_object(), "user_id"));
  if (!ids::ParseUserId(user, ids::UserIdGrammar::kHistorical).ok()) {
    return InvalidParam(absl::StrCat("invalid user_id ", user));
  }
  if (ServerNameOf(user) != context.writer->server_name()) {
    // Invites to other servers go over federation, which is not built yet.
    return Forbidden("Users on other servers cannot be reached yet");
  }
  return user;
}

absl::StatusOr<Response> ChangeMembership(const RoomsContext* context,
                                          const MembershipSpec& spec,
                                          const Request& r) {
  // Spec: /join/{roomIdOrAlias} and /knock/{roomIdOrAlias} take aliases.
  ASSIGN_OR_RETURN(std::string room,
                   ResolveRoom(*context, r.Param(spec.room_param)));
  ASSIGN_OR_RETURN(std::string target, TargetOf(*context, r, spec.target));
  event::EventDraft draft;
  draft.room_id = room;
  draft.type = "m.room.member";
  draft.state_key = target;
  draft.sender = r.principal.user_id;
  draft.content = MemberContent(*context, target, spec.membership);
  if (const auto* reason = r.json.as_object().if_contains("reason")) {
    if (!reason->is_string()) return BadJson("reason must be a string");
    draft.content["reason"] = *reason;
  }
  ASSIGN_OR_RETURN(SentEvent sent, context->writer->Send(draft));
  boost::json::object body;
  if (spec.target == Target::kSelf && std::string_view(spec.membership) != "leave") {
    body["room_id"] = sent.room_id;
  }
  return Response::Json(boost::json::serialize(body));
}

}  // namespace

// Spec: POST /rooms/{roomId}/forget — only after leaving.
absl::StatusOr<Response> Forget(const RoomsContext* context, const Request& r) {
  storage::EventStore& store = context->writer->store();
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(r.Param("roomId"));
  absl::StatusOr<storage::UserNid> user = store.LookupUser(r.principal.user_id);
  if (absl::IsNotFound(room.status()) || absl::IsNotFound(user.status())) {
    return NotFound("You have never been in this room");
  }
  RETURN_IF_ERROR(room.status());
  RETURN_IF_ERROR(user.status());
  absl::StatusOr<storage::EventNid> member = store.CurrentStateEvent(
      room->room_nid, "m.room.member", r.principal.user_id);
  if (absl::IsNotFound(member.status())) {
    return NotFound("You have never been in this room");
  }
  RETURN_IF_ERROR(member.status());
  ASSIGN_OR_RETURN(storage::Membership membership,
                   store.MembershipOf(room->room_nid, *user));
  if (membership == storage::Membership::kJoin) {
    return MatrixError(400, errcode::kUnknown, "The user has not left the room");
  }
  RETURN_IF_ERROR(context->forgotten->Forget(r.principal.user_id,
                                             room->room_nid, *member));
  return Response::Json("{}");
}

absl::Status AddMembershipRoutes(http::RouteTable* table,
                                 const RoomsContext* context) {
  if (context->forgotten != nullptr) {
    http::Route forget;
    forget.method = http::Method::kPost;
    forget.pattern = "/rooms/{roomId}/forget";
    forget.auth = http::Auth::kUser;
    forget.rate_limit = context->message_limit;
    forget.handler = [context](const Request& r) { return Forget(context, r); };
    RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(forget)));
  }
  static const MembershipSpec kSpecs[] = {
      {"/rooms/{roomId}/join", "join", Target::kSelf, "roomId"},
      {"/join/{roomIdOrAlias}", "join", Target::kSelf, "roomIdOrAlias"},
      {"/knock/{roomIdOrAlias}", "knock", Target::kSelf, "roomIdOrAlias"},
      {"/rooms/{roomId}/leave", "leave", Target::kSelf, "roomId"},
      {"/rooms/{roomId}/invite", "invite", Target::kBodyUserId, "roomId"},
      {"/rooms/{roomId}/kick", "leave", Target::kBodyUserId, "roomId"},
      {"/rooms/{roomId}/ban", "ban", Target::kBodyUserId, "roomId"},
      {"/rooms/{roomId}/unban", "leave", Target::kBodyUserId, "roomId"},
  };
  for (const MembershipSpec& spec : kSpecs) {
    http::Route route;
    route.method = http::Method::kPost;
    route.pattern = spec.pattern;
    route.auth = http::Auth::kUser;
    route.rate_limit = context->message_limit;
    route.body = http::Body::kJson;
    route.handler = [context, &spec](const Request& r) {
      return ChangeMembership(context, spec, r);
    };
    RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(route)));
  }
  return absl::OkStatus();
}

boost::json::object MemberContent(const RoomsContext& context,
                                  std::string_view user_id,
                                  std::string_view membership) {
  boost::json::object content{{"membership", membership}};
  if (membership == "join" || membership == "invite" || membership == "knock") {
    if (context.profile) {
      MemberProfile profile = context.profile(user_id);
      if (!profile.displayname.empty()) content["displayname"] = profile.displayname;
      if (!profile.avatar_url.empty()) content["avatar_url"] = profile.avatar_url;
    }
  }
  return content;
}

absl::StatusOr<std::string> RequiredString(const boost::json::object& body,
                                           std::string_view key) {
  const auto* value = body.if_contains(key);
  if (value == nullptr) return MissingParam(absl::StrCat("missing ", std::string(key)));
  if (!value->is_string()) return BadJson(absl::StrCat(std::string(key), " must be a string"));
  return std::string(value->as_string());
}

absl::Status AddRoomRoutes(http::RouteTable* table, const RoomsContext* context) {
  RETURN_IF_ERROR(AddCreateRoomRoutes(table, context));
  RETURN_IF_ERROR(AddSendRoutes(table, context));
  RETURN_IF_ERROR(AddMembershipRoutes(table, context));
  RETURN_IF_ERROR(AddDirectoryRoutes(table, context));
  RETURN_IF_ERROR(AddPublicRoomsRoutes(table, context));
  RETURN_IF_ERROR(AddUpgradeRoutes(table, context));
  RETURN_IF_ERROR(AddRelationsRoutes(table, context));
  RETURN_IF_ERROR(AddThreadsRoutes(table, context));
  return AddReadRoutes(table, context);
}

}  // namespace myelin::rooms
