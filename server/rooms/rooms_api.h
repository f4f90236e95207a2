// The Client-Server room endpoints (Spec: client-server-api, "Rooms",
// "Room membership", "Sending events", "Getting events for a room").
//
// Handlers are grouped by spec area in rooms_api_*.cc; this header holds
// what they share and the one function that registers them all.
#ifndef MYELIN_SERVER_ROOMS_ROOMS_API_H_
#define MYELIN_SERVER_ROOMS_ROOMS_API_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "dag/base/clock.h"
#include "server/http/router.h"
#include "server/rooms/room_writer.h"
#include "server/rooms/txn_cache.h"

namespace myelin::rooms {

// displayname and avatar_url of a local user, for the member events the
// server writes for them (Spec: m.room.member content). Either may be empty.
struct MemberProfile {
  std::string displayname;
  std::string avatar_url;
};
using ProfileLookup = std::function<MemberProfile(std::string_view user_id)>;

struct RoomsContext {
  RoomWriter* writer = nullptr;
  const Clock* clock = nullptr;
  TxnCache* txns = nullptr;
  ProfileLookup profile;  // Optional.
  // Rate limit of the routes that send events; nullptr: not limited.
  const http::RequestLimiter* message_limit = nullptr;
};

// Registers every room route under the client prefixes. `context` must
// outlive the table.
absl::Status AddRoomRoutes(http::RouteTable* table, const RoomsContext* context);

// Per spec area (rooms_api_*.cc).
absl::Status AddCreateRoomRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddSendRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddMembershipRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddReadRoutes(http::RouteTable* table, const RoomsContext* context);

// m.room.member content for `user_id` with `membership`, carrying the
// user's profile when it is a local user the lookup knows.
boost::json::object MemberContent(const RoomsContext& context,
                                  std::string_view user_id,
                                  std::string_view membership);

// A JSON body field as a string, or a Matrix error naming it.
absl::StatusOr<std::string> RequiredString(const boost::json::object& body,
                                           std::string_view key);

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_ROOMS_API_H_
