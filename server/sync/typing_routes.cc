#include "server/sync/typing_routes.h"

#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

absl::Status RequireJoined(const storage::EventStore& store,
                           std::string_view room_id, std::string_view user_id) {
  absl::Status forbidden = Forbidden("You are not in this room");
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(room_id);
  if (!room.ok()) return absl::IsNotFound(room.status()) ? forbidden : room.status();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(user_id);
  if (!user.ok()) return absl::IsNotFound(user.status()) ? forbidden : user.status();
  ASSIGN_OR_RETURN(storage::Membership membership,
                   store.MembershipOf(room->room_nid, *user));
  return membership == storage::Membership::kJoin ? absl::OkStatus() : forbidden;
}

absl::StatusOr<Response> SetTyping(TypingTracker* typing,
                                   const storage::EventStore* store,
                                   const Request& r) {
  if (r.Param("userId") != r.principal.user_id) {
    return Forbidden("Cannot set typing for other users");
  }
  const boost::json::object& body = r.json.as_object();
  const auto* flag = body.if_contains("typing");
  if (flag == nullptr) return MissingParam("typing is required");
  if (!flag->is_bool()) return BadJson("typing must be a boolean");
  int64_t timeout = 0;
  if (flag->as_bool()) {
    const auto* value = body.if_contains("timeout");
    if (value == nullptr) return MissingParam("timeout is required when typing");
    if (!value->is_int64() || value->as_int64() < 0) {
      return BadJson("timeout must be a non-negative integer");
    }
    timeout = value->as_int64();
  }
  RETURN_IF_ERROR(RequireJoined(*store, r.Param("roomId"), r.principal.user_id));
  typing->Set(r.Param("roomId"), r.principal.user_id, flag->as_bool(), timeout);
  return Response::Json("{}");
}

}  // namespace

absl::Status AddTypingRoutes(http::RouteTable* table, TypingTracker* typing,
                             const storage::EventStore* store) {
  http::Route route;
  route.method = http::Method::kPut;
  route.pattern = "/rooms/{roomId}/typing/{userId}";
  route.auth = http::Auth::kUser;
  route.body = http::Body::kJson;
  route.handler = [typing, store](const Request& r) {
    return SetTyping(typing, store, r);
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(route));
}

}  // namespace myelin::sync
