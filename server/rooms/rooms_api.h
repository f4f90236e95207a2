// The Client-Server room endpoints (Spec: client-server-api, "Rooms",
// "Room membership", "Sending events", "Getting events for a room").
//
// Handlers are grouped by spec area in rooms_api_*.cc; this header holds
// what they share and the one function that registers them all.
#ifndef MYELIN_SERVER_ROOMS_ROOMS_API_H_
#define MYELIN_SERVER_ROOMS_ROOMS_API_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "boost/json/object.hpp"
#include "dag/base/clock.h"
#include "server/http/router.h"
#include "server/rooms/room_writer.h"
#include "server/rooms/txn_cache.h"
#include "storage/membership/forgotten_store.h"
#include "storage/directory/directory_store.h"
#include "storage/relations/relation_store.h"

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
  // Room aliases and the published room directory (rooms_api_directory.cc).
  storage::DirectoryStore* directory = nullptr;
  // Whether a local user is a server admin (may delete any alias and
  // publish any room). Optional: nobody is.
  std::function<bool(std::string_view user_id)> is_server_admin;
  // Rooms users forgot (POST /forget). Optional: the route is absent.
  storage::ForgottenStore* forgotten = nullptr;
  // Rate limit of the routes that send events; nullptr: not limited.
  const http::RequestLimiter* message_limit = nullptr;
  // Relations and redactions (relations.h). Optional: events are then
  // served as stored, without aggregations.
  const storage::RelationStore* relations = nullptr;
  // The users `viewer` ignores (Spec: "Ignoring Users": their events other
  // than state events are not sent). Optional: nobody is ignored.
  std::function<absl::flat_hash_set<std::string>(std::string_view viewer)>
      ignored_users;
};

// Registers every room route under the client prefixes. `context` must
// outlive the table.
absl::Status AddRoomRoutes(http::RouteTable* table, const RoomsContext* context);

// Per spec area (rooms_api_*.cc).
absl::Status AddCreateRoomRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddSendRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddMembershipRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddReadRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddDirectoryRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddPublicRoomsRoutes(http::RouteTable* table, const RoomsContext* context);
// Under /_matrix/client/v1 (rooms_api_relations.cc, rooms_api_threads.cc).
absl::Status AddRelationsRoutes(http::RouteTable* table, const RoomsContext* context);
absl::Status AddThreadsRoutes(http::RouteTable* table, const RoomsContext* context);

// --- Aliases for other endpoints (rooms_api_directory.cc) ---
// The room id `room_id_or_alias` names: a room id as it is, an alias
// ("#name:server") resolved through the directory (M_NOT_FOUND if unknown,
// M_INVALID_PARAM if malformed).
absl::StatusOr<std::string> ResolveRoom(const RoomsContext& context,
                                        std::string_view room_id_or_alias);
// Spec: room_state.yaml — an m.room.canonical_alias event whose (new)
// aliases are malformed gets M_INVALID_PARAM, and one whose aliases do not
// point to its room M_BAD_ALIAS. OK for every other event.
absl::Status CheckStateEvent(const RoomsContext& context,
                             const event::EventDraft& draft);
// What POST /createRoom asks of the directory: `room_alias_name` as a full
// alias (checked valid and free, else M_INVALID_PARAM / M_ROOM_IN_USE;
// empty when absent) and `visibility`.
struct NewRoomDirectory {
  std::string alias;
  bool publish = false;
};
absl::StatusOr<NewRoomDirectory> DirectoryForNewRoom(
    const RoomsContext& context, const boost::json::object& body);
// Maps `alias` to the new room (M_ROOM_IN_USE if taken meanwhile).
absl::Status AddNewRoomAlias(const RoomsContext& context,
                             std::string_view alias, std::string_view room_id,
                             std::string_view creator);
// Room upgrades (Spec: "Room upgrades", server behaviour 4): moves the old
// room's local aliases and its place in the published directory to the new
// room, gives the new room the old one's m.room.canonical_alias (unless it
// has one) and clears the old one's (best effort), as `user`.
absl::Status MoveDirectoryToUpgradedRoom(const RoomsContext& context,
                                         std::string_view old_room,
                                         std::string_view new_room,
                                         std::string_view user);
absl::Status AddUpgradeRoutes(http::RouteTable* table,
                              const RoomsContext* context);

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
