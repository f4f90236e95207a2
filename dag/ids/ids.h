// Matrix identifiers: parsing and validation. Spec: appendices, "Identifier
// Grammar" (server names, user ids, room ids, room aliases, event ids),
// server-server-api "Publishing Keys" (key ids), rooms/_index (room version
// ids).
//
// Parsers return views into the input (the caller keeps it alive) and
// M_INVALID_PARAM errors naming the problem. Every sigilled identifier is at
// most 255 bytes. Pure; thread-safe.
#ifndef MYELIN_DAG_IDS_IDS_H_
#define MYELIN_DAG_IDS_IDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dag/room_version/room_version.h"

namespace myelin::ids {

// Spec: appendices, Identifier Grammar (user ids, room ids, aliases, event
// ids): "MUST NOT exceed 255 bytes" including sigil and domain.
inline constexpr size_t kMaxIdBytes = 255;

struct ServerName {
  std::string_view host;  // DNS name, IPv4 literal, or "[IPv6]" with brackets.
  std::optional<uint16_t> port;
};

// server_name = hostname [ ":" port ]. IPv4 literals need octets 0-255, IPv6
// literals are checked as RFC 3513 addresses, DNS names are 1-255 of
// [A-Za-z0-9.-]; ports are 1-5 digits up to 65535. Case is preserved.
absl::StatusOr<ServerName> ParseServerName(std::string_view name);
bool IsValidServerName(std::string_view name);

// A sigilled id split at its first ':' — localpart is between the sigil and
// the colon, server_name after it (empty for domain-less ids).
struct IdParts {
  std::string_view localpart;
  std::string_view server_name;
};

enum class UserIdGrammar {
  // What this server may create: 1+ of [a-z0-9._=-/+]. Spec: appendices,
  // User Identifiers.
  kStrict,
  // What must be accepted from others: any non-surrogate code points except
  // ':' and NUL, even empty. Spec: appendices, Historical User IDs.
  kHistorical,
};

absl::StatusOr<IdParts> ParseUserId(
    std::string_view id, UserIdGrammar grammar = UserIdGrammar::kHistorical);

// Whether room ids carry a server name.
enum class RoomIdFormat {
  kAny,             // Either form (ids from clients, version not yet known).
  kWithDomain,      // "!opaque:domain" (room versions 1-11).
  kCreateEventHash, // "!" + URL-safe base64 of a SHA-256 (room version 12+).
};

absl::StatusOr<IdParts> ParseRoomId(std::string_view id,
                                    RoomIdFormat format = RoomIdFormat::kAny);

// "#alias:domain"; the localpart is any non-surrogate code points except ':'
// and NUL.
absl::StatusOr<IdParts> ParseRoomAlias(std::string_view id);

// Event ids for one room version's EventIdFormat: "$opaque:domain" (v1, v2),
// "$" + 43 characters of standard (v3) or URL-safe (v4+) base64 of a
// SHA-256. server_name is empty for hash ids.
absl::StatusOr<IdParts> ParseEventId(std::string_view id,
                                     EventIdFormat format);
// Any event id shape: "$", at most 255 bytes, valid UTF-8 without NUL.
absl::Status CheckEventIdAnyFormat(std::string_view id);

// Room version 12: the room id is the create event's id with '!' for '$'.
// Spec: appendices, Room IDs.
std::string RoomIdFromCreateEventId(std::string_view create_event_id);

// "algorithm:version", e.g. "ed25519:abc_1". The version is 1+ of
// [a-zA-Z0-9_] (Spec: server-server definitions/keys.yaml); the algorithm
// 1+ of [a-z0-9_].
struct KeyId {
  std::string_view algorithm;
  std::string_view version;
};
absl::StatusOr<KeyId> ParseKeyId(std::string_view key_id);

// Room version ids: 1-32 of [a-z0-9.-]. Spec: rooms/_index, Room version
// grammar.
bool IsValidRoomVersionId(std::string_view id);

// Spec: appendices, Common Namespaced Identifier Grammar: 1-255 of
// [a-z0-9._-], starting with [a-z].
bool IsValidNamespacedIdentifier(std::string_view id);

// Spec: appendices, "Mapping from other character sets" (the suggested
// algorithm): A-Z downcased (or, with preserve_case, "_" + lower case and "_"
// doubled), bytes outside the allowed set and "=" as "=xx" hex.
std::string MapToUserIdLocalpart(std::string_view name, bool preserve_case);

}  // namespace myelin::ids

#endif  // MYELIN_DAG_IDS_IDS_H_
