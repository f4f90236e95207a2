#include "server/sync/presence_routes.h"

#include <algorithm>

#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

absl::StatusOr<std::vector<storage::RoomNid>> JoinedRooms(
    const storage::EventStore& store, storage::UserNid user) {
  ASSIGN_OR_RETURN(auto rooms, store.RoomsOfUser(user, storage::Membership::kJoin));
  std::vector<storage::RoomNid> nids;
  for (const storage::UserRoom& room : rooms) nids.push_back(room.room_nid);
  std::sort(nids.begin(), nids.end());
  return nids;
}

// Spec: presence is visible to users who share a room.
absl::Status CheckVisible(const storage::EventStore& store,
                          std::string_view viewer, std::string_view target) {
  if (viewer == target) return absl::OkStatus();
  // Users one shares no room with, and users never seen in a room, get the
  // same answer: whether an account exists is not the viewer's business.
  absl::Status forbidden = Forbidden("You do not share a room with this user");
  absl::StatusOr<storage::UserNid> target_nid = store.LookupUser(target);
  if (absl::IsNotFound(target_nid.status())) return forbidden;
  RETURN_IF_ERROR(target_nid.status());
  absl::StatusOr<storage::UserNid> viewer_nid = store.LookupUser(viewer);
  if (absl::IsNotFound(viewer_nid.status())) return forbidden;
  RETURN_IF_ERROR(viewer_nid.status());
  ASSIGN_OR_RETURN(auto theirs, JoinedRooms(store, *target_nid));
  ASSIGN_OR_RETURN(auto mine, JoinedRooms(store, *viewer_nid));
  std::vector<storage::RoomNid> shared;
  std::set_intersection(theirs.begin(), theirs.end(), mine.begin(), mine.end(),
                        std::back_inserter(shared));
  return shared.empty() ? forbidden : absl::OkStatus();
}

absl::StatusOr<Response> GetStatus(PresenceTracker* presence,
                                   const storage::EventStore* store,
                                   const Request& r) {
  RETURN_IF_ERROR(CheckVisible(*store, r.principal.user_id, r.Param("userId")));
  PresenceView view = presence->Get(r.Param("userId"));
  boost::json::object body{{"presence", PresenceStateName(view.state)}};
  if (view.status_msg.has_value()) body["status_msg"] = *view.status_msg;
  if (view.last_active_ago_millis.has_value()) {
    body["last_active_ago"] = *view.last_active_ago_millis;
    body["currently_active"] = view.currently_active;
  }
  return Response::Json(boost::json::serialize(body));
}

absl::StatusOr<Response> PutStatus(PresenceTracker* presence, const Request& r) {
  if (r.Param("userId") != r.principal.user_id) {
    return Forbidden("Cannot set presence of other users");
  }
  const boost::json::object& body = r.json.as_object();
  const auto* state = body.if_contains("presence");
  if (state == nullptr) return MissingParam("presence is required");
  if (!state->is_string()) return BadJson("presence must be a string");
  ASSIGN_OR_RETURN(PresenceState parsed,
                   ParsePresenceState(std::string(state->as_string())));
  std::optional<std::string> message;
  if (const auto* status = body.if_contains("status_msg")) {
    if (!status->is_string()) return BadJson("status_msg must be a string");
    message = std::string(status->as_string());
  }
  presence->Set(r.principal.user_id, parsed, std::move(message));
  return Response::Json("{}");
}

}  // namespace

absl::Status AddPresenceRoutes(http::RouteTable* table,
                               PresenceTracker* presence,
                               const storage::EventStore* store) {
  http::Route get;
  get.pattern = "/presence/{userId}/status";
  get.auth = http::Auth::kUser;
  get.handler = [presence, store](const Request& r) {
    return GetStatus(presence, store, r);
  };
  RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(get)));
  http::Route put;
  put.method = http::Method::kPut;
  put.pattern = "/presence/{userId}/status";
  put.auth = http::Auth::kUser;
  put.body = http::Body::kJson;
  put.handler = [presence](const Request& r) { return PutStatus(presence, r); };
  return table->AddUnder(http::ClientPrefixes(), std::move(put));
}

}  // namespace myelin::sync
