#include "server/sync/account_data_routes.h"

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kTagType = "m.tag";

absl::Status RequireSelf(const Request& r) {
  if (r.Param("userId") != r.principal.user_id) {
    return Forbidden("Cannot access account data of other users");
  }
  return absl::OkStatus();
}

// The room of a per-room route ("" for global ones), checked for shape.
absl::StatusOr<std::string> RoomOf(const Request& r) {
  std::string room(r.Param("roomId"));
  if (room.empty()) return room;
  if (!ids::ParseRoomId(room, ids::RoomIdFormat::kAny).ok()) {
    return InvalidParam(absl::StrCat("invalid room id ", room));
  }
  return room;
}

// Spec: types the server controls cannot be set through this API (405).
absl::Status CheckSettable(std::string_view type, bool in_room) {
  if ((in_room && type == "m.fully_read") || (!in_room && type == "m.push_rules")) {
    return MatrixError(405, errcode::kBadJson,
                       absl::StrCat("Cannot set ", AV(type), " through this API"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Response> PutData(storage::AccountDataStore* store,
                                 const Request& r) {
  RETURN_IF_ERROR(RequireSelf(r));
  ASSIGN_OR_RETURN(std::string room, RoomOf(r));
  std::string type(r.Param("type"));
  RETURN_IF_ERROR(CheckSettable(type, !room.empty()));
  RETURN_IF_ERROR(store->Put(r.principal.user_id, room, type, r.json.as_object())
                      .status());
  return Response::Json("{}");
}

absl::StatusOr<Response> GetData(storage::AccountDataStore* store,
                                 const Request& r) {
  RETURN_IF_ERROR(RequireSelf(r));
  ASSIGN_OR_RETURN(std::string room, RoomOf(r));
  ASSIGN_OR_RETURN(auto content,
                   store->Get(r.principal.user_id, room, r.Param("type")));
  if (!content.has_value()) return NotFound("Account data not found");
  return Response::Json(boost::json::serialize(*content));
}

absl::StatusOr<Response> GetTags(storage::AccountDataStore* store,
                                 const Request& r) {
  RETURN_IF_ERROR(RequireSelf(r));
  ASSIGN_OR_RETURN(std::string room, RoomOf(r));
  ASSIGN_OR_RETURN(auto content, store->Get(r.principal.user_id, room, kTagType));
  boost::json::object tags;
  if (content.has_value()) {
    if (const auto* stored = content->if_contains("tags");
        stored != nullptr && stored->is_object()) {
      tags = stored->as_object();
    }
  }
  return Response::Json(boost::json::serialize(boost::json::object{{"tags", tags}}));
}

// Sets (`body` given) or removes (nullptr) one tag of the room.
absl::StatusOr<Response> ChangeTag(storage::AccountDataStore* store,
                                   const Request& r,
                                   const boost::json::object* body) {
  RETURN_IF_ERROR(RequireSelf(r));
  ASSIGN_OR_RETURN(std::string room, RoomOf(r));
  if (body != nullptr) {
    // Spec: order is a number between 0 and 1.
    if (const auto* order = body->if_contains("order");
        order != nullptr && !order->is_number()) {
      return BadJson("order must be a number");
    }
  }
  std::string tag(r.Param("tag"));
  RETURN_IF_ERROR(
      store
          ->Update(r.principal.user_id, room, kTagType,
                   [&](std::optional<boost::json::object> current)
                       -> absl::StatusOr<boost::json::object> {
                     boost::json::object content =
                         current.value_or(boost::json::object());
                     boost::json::value& tags = content["tags"];
                     if (!tags.is_object()) tags = boost::json::object();
                     if (body != nullptr) {
                       tags.as_object()[tag] = *body;
                     } else {
                       tags.as_object().erase(tag);
                     }
                     return content;
                   })
          .status());
  return Response::Json("{}");
}

}  // namespace

absl::Status AddAccountDataRoutes(http::RouteTable* table,
                                  storage::AccountDataStore* store) {
  auto add = [&](http::Method method, const char* pattern, http::Body body,
                 http::Handler handler) {
    http::Route route;
    route.method = method;
    route.pattern = pattern;
    route.auth = http::Auth::kUser;
    route.body = body;
    route.handler = std::move(handler);
    return table->AddUnder(http::ClientPrefixes(), std::move(route));
  };
  auto put = [store](const Request& r) { return PutData(store, r); };
  auto get = [store](const Request& r) { return GetData(store, r); };
  RETURN_IF_ERROR(add(http::Method::kPut, "/user/{userId}/account_data/{type}",
                      http::Body::kJson, put));
  RETURN_IF_ERROR(add(http::Method::kGet, "/user/{userId}/account_data/{type}",
                      http::Body::kAny, get));
  RETURN_IF_ERROR(add(http::Method::kPut,
                      "/user/{userId}/rooms/{roomId}/account_data/{type}",
                      http::Body::kJson, put));
  RETURN_IF_ERROR(add(http::Method::kGet,
                      "/user/{userId}/rooms/{roomId}/account_data/{type}",
                      http::Body::kAny, get));
  RETURN_IF_ERROR(add(http::Method::kGet, "/user/{userId}/rooms/{roomId}/tags",
                      http::Body::kAny,
                      [store](const Request& r) { return GetTags(store, r); }));
  RETURN_IF_ERROR(add(http::Method::kPut,
                      "/user/{userId}/rooms/{roomId}/tags/{tag}",
                      http::Body::kJson, [store](const Request& r) {
                        return ChangeTag(store, r, &r.json.as_object());
                      }));
  return add(http::Method::kDelete, "/user/{userId}/rooms/{roomId}/tags/{tag}",
             http::Body::kAny,
             [store](const Request& r) { return ChangeTag(store, r, nullptr); });
}

}  // namespace myelin::sync
