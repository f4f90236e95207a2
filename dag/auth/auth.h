// Authorization rules for room versions 1–12, and auth events selection.
//
// Spec: rooms/fragments/v1-auth-rules (v1, v2), v3-auth-rules (v3–v5),
// v8-auth-rules (v6–v9, with "since" notes), rooms/v10.md, v11.md, v12.md;
// server-server-api "Auth events selection".
//
// The code mirrors the spec rule by rule. Rule numbers in comments follow the
// room v12 numbering (which inserts rule 2 "room_id is the create event" and
// so shifts later rules by one against v8–v11), e.g. "Rule 5.3.5 (since v8)".
//
// Everything here is pure: callers supply the state and the crypto checks.
// Thread safety: stateless functions; safe to call concurrently.
#ifndef MYELIN_DAG_AUTH_AUTH_H_
#define MYELIN_DAG_AUTH_AUTH_H_

#include <boost/json.hpp>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "dag/pdu/pdu.h"
#include "dag/pdu/power_levels.h"
#include "dag/room_version/room_version.h"

namespace myelin {

// (type, state_key).
using StateKey = std::pair<std::string, std::string>;

// The room state an event is authorised against: the state before the event,
// or the event's own auth_events keyed by (type, state_key). Only the auth
// types (create, power levels, join rules, members, third-party invites)
// are read. Pointers are borrowed for the duration of the call.
using AuthState = absl::flat_hash_map<StateKey, const Pdu*>;

// Crypto lives in dag/crypto; the auth rules take it as callbacks.
struct AuthHooks {
  // Rule 5.4.1.7: true when `signed` (content.third_party_invite.signed)
  // carries a valid ed25519 signature by `public_key` (unpadded base64).
  // When unset, third-party invites are rejected (cannot be verified).
  std::function<bool(const boost::json::object& signed_obj,
                     std::string_view public_key)>
      verify_third_party_signature;
  // Rule 5.2.1 (since v8): true when `event` is validly signed by
  // `server_name`. When unset the check is skipped: signatures are checked
  // on receipt of a PDU, before auth (server-server-api).
  std::function<bool(const Pdu& event, std::string_view server_name)>
      verify_event_signed_by;
};

// Memoises parsed m.room.power_levels content by event id. State resolution
// checks thousands of events against a handful of power levels events;
// without the cache every check re-parses the content, which is O(users).
// Not thread-safe; entries live as long as the cache.
class PowerLevelsCache {
 public:
  absl::StatusOr<std::shared_ptr<const PowerLevels>> Get(
      const Pdu& power_levels_event, const RoomVersionRules& rules);

 private:
  absl::flat_hash_map<std::string,
                      absl::StatusOr<std::shared_ptr<const PowerLevels>>>
      entries_;
};

// The value standing for the infinite power level of room creators in v12.
inline constexpr int64_t kInfinitePowerLevel = INT64_MAX;

// Checks `event` against the authorization rules of `rules`, given the room
// `state` before it. Returns OK when allowed, else a Forbidden status whose
// message names the rule and why ("rule 5.3.2: sender does not match
// state_key"). Does not check rule 3 (the event's auth_events list); use
// CheckAuthEvents for that. Since v12 `state` must hold the create event
// named by the room id even though auth_events do not list it. `cache` is
// optional.
absl::Status CheckAuth(const Pdu& event, const RoomVersionRules& rules,
                       const AuthState& state, const AuthHooks& hooks = {},
                       PowerLevelsCache* cache = nullptr);

// Rule 3 (2 before v12): the event's `auth_events`, resolved by the caller
// to `auth_events` (same order; the caller guarantees none of them was
// rejected — rule 3.3). Checks duplicates, selection, presence of the
// create event (absence since v12) and room ids.
absl::Status CheckAuthEvents(const Pdu& event, const RoomVersionRules& rules,
                             std::span<const Pdu* const> auth_events);

// The auth state formed by an event's own auth events (server-server-api
// "Checks performed on receipt of a PDU", step 4: "passes authorization
// rules based on the event's auth events"). Later entries win on duplicate
// keys; CheckAuthEvents rejects duplicates first. Non-state events are
// skipped.
AuthState AuthStateFromEvents(std::span<const Pdu* const> auth_events);

// Spec: server-server-api "Auth events selection": the (type, state_key)
// pairs whose current state events must be listed in auth_events of an
// event with these fields. Empty for m.room.create.
std::vector<StateKey> AuthEventsSelection(
    std::string_view type, std::string_view sender,
    const std::optional<std::string>& state_key,
    const boost::json::object& content, const RoomVersionRules& rules);
std::vector<StateKey> AuthEventsSelection(const Pdu& event,
                                          const RoomVersionRules& rules);

// The room creators: the create event's `creator` (v1–v10) or `sender`
// (v11+), plus `additional_creators` (v12).
std::vector<std::string> RoomCreators(const Pdu& create,
                                      const RoomVersionRules& rules);

// The power level of `user_id` in `state` (rule "Power levels are inferred
// from defaults"; v12: creators are infinite). Errors when the state's
// power levels event does not parse.
absl::StatusOr<int64_t> UserPowerLevel(std::string_view user_id,
                                       const RoomVersionRules& rules,
                                       const AuthState& state);

}  // namespace myelin

#endif  // MYELIN_DAG_AUTH_AUTH_H_
