#include "server/sync/typing_routes.h"

#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/sync/membership_check.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

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
  RETURN_IF_ERROR(
      JoinedRoom(*store, r.Param("roomId"), r.principal.user_id).status());
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
