// The rules of room aliases and the published room directory, shared by
// the directory endpoints (rooms_api_directory.cc, rooms_api_public_rooms.cc)
// and the alias pieces of other endpoints (declared in rooms_api.h).
// Internal to server/rooms.
#ifndef MYELIN_SERVER_ROOMS_DIRECTORY_RULES_H_
#define MYELIN_SERVER_ROOMS_DIRECTORY_RULES_H_

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {

inline constexpr std::string_view kCanonicalAlias = "m.room.canonical_alias";

// 404 M_NOT_FOUND naming the alias.
absl::Status AliasNotFound(std::string_view alias);

// M_INVALID_PARAM unless `alias` is a valid alias of this server. Spec:
// appendices, "Room Aliases"; like Synapse, whitespace is refused too.
absl::Status CheckLocalAlias(const RoomsContext& context,
                             std::string_view alias);

// The room `alias` maps to: M_INVALID_PARAM if malformed, M_NOT_FOUND if
// unknown or of another server (saying federation is not available yet).
absl::StatusOr<std::string> LookupAlias(const RoomsContext& context,
                                        std::string_view alias);

bool IsServerAdmin(const RoomsContext& context, std::string_view user);

// The content of the room's current state event (type, state_key), or
// nullopt when there is none. M_NOT_FOUND for an unknown room.
absl::StatusOr<std::optional<boost::json::object>> CurrentContent(
    const RoomsContext& context, std::string_view room_id,
    std::string_view type, std::string_view state_key = "");

// Whether `user` is joined to the room now.
absl::StatusOr<bool> IsJoinedMember(const RoomsContext& context,
                                    std::string_view room_id,
                                    std::string_view user);

// Synapse's check_can_change_room_list: a server admin, or a joined member
// whose power reaches the level needed to send m.room.canonical_alias.
// Deleting others' aliases and publishing rooms need it.
absl::StatusOr<bool> CanChangeRoomList(const RoomsContext& context,
                                       std::string_view room_id,
                                       std::string_view user);

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_DIRECTORY_RULES_H_
