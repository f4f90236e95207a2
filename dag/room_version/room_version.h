// Room versions 1–12 as constant data.
//
// Every behaviour that differs between room versions is a field of
// RoomVersionRules; code asks `rules.knocking`, never compares version
// strings. This file is the only place in Myelin that knows version strings.
// Spec: rooms/_index.md and rooms/v1.md … rooms/v12.md.
//
// Thread safety: everything here is immutable.
#ifndef MYELIN_DAG_ROOM_VERSION_ROOM_VERSION_H_
#define MYELIN_DAG_ROOM_VERSION_ROOM_VERSION_H_

#include <span>
#include <string_view>

namespace myelin {

// How event ids are formed. Spec: rooms/fragments/v1-event-ids,
// v4-event-ids; rooms/v3.md "Event IDs".
enum class EventIdFormat {
  kV1ServerAssigned,  // "$opaque:server", chosen by the origin (v1, v2).
  kV3Base64,          // "$" + unpadded standard base64 reference hash (v3).
  kV4UrlSafe,         // "$" + unpadded URL-safe base64 reference hash (v4+).
};

// Which redaction algorithm applies. Spec: rooms/fragments/v1-redactions,
// v6-redactions, v9-redactions, v11-redactions (v8 adds join_rule "allow").
enum class RedactionRules {
  kV1,   // v1–v5.
  kV6,   // v6, v7: drops aliases from m.room.aliases.
  kV8,   // v8: keeps join_rules.allow.
  kV9,   // v9, v10: keeps member join_authorised_via_users_server.
  kV11,  // v11+: keeps create content, redacts.origin etc.
};

// Canonical JSON strictness. Spec: rooms/fragments/v6-canonical-json — from
// v6, integers outside [-(2^53)+1, 2^53-1], NaN/Infinity floats are rejected.
enum class JsonStrictness {
  kLenient,
  kStrict,
};

// Which state resolution algorithm the room uses.
enum class StateResAlgorithm {
  kV1,   // rooms/v1.md
  kV2,   // rooms/fragments/v2-state-res (v2–v11)
  kV21,  // rooms/v12.md: v2 starting from the empty set plus the conflicted
         // state subgraph.
};

struct RoomVersionRules {
  std::string_view id;
  bool stable;
  EventIdFormat event_id_format;
  RedactionRules redaction;
  JsonStrictness json;
  StateResAlgorithm state_res;

  // --- Authorization rule variations ---
  // v1–v5: m.room.aliases events are allowed if the state_key is the
  // sender's server (auth rule 4 of v1-auth-rules); v6+ treat them normally.
  bool special_case_aliases_auth;
  // v5+: enforce the signing key validity period (v5-signing-requirements).
  bool enforce_key_validity;
  // v1, v2: m.room.redaction is allowed by redact level or by matching
  // event id domains (v1-auth-rules rule 11); v3+ have no such rule.
  bool special_case_redaction_auth;
  // v6+: notifications power levels are checked when changing power levels.
  bool limit_notifications_power_levels;
  // v7+: the "knock" membership and join rule.
  bool knocking;
  // v8+: join_rule "restricted" with join_authorised_via_users_server.
  bool restricted_join_rule;
  // v10+: join_rule "knock_restricted".
  bool knock_restricted_join_rule;
  // v10+: power levels must be integers, not strings or floats.
  bool integer_power_levels;
  // v11+: the room creator is the create event's sender; `creator` is gone
  // from the create event content.
  bool use_room_create_sender;
  // v1–v10 require `content.creator` on create events (v1-auth-rules 1.3).
  bool require_create_creator;
  // v11+: m.room.redaction carries `redacts` in content (v11-event-format).
  bool redacts_in_content;
  // v12: creators (create sender + content.additional_creators) have
  // infinite power level and cannot appear in power_levels.users.
  bool privileged_creators;
  // v12: the create event has no room_id; the room id is derived from the
  // create event's id, and create is never listed in auth_events.
  bool room_id_is_create_event_id;
  // v1, v2: event ids are carried in the event; auth_events and prev_events
  // are [[id, {hashes}], …] pairs.
  bool event_id_in_event;
};

// The table. Spec: rooms/v1.md … rooms/v12.md.
std::span<const RoomVersionRules> AllRoomVersions();

// Returns the rules for `version` ("1" … "12"), or nullptr when Myelin does
// not know that version (the caller answers M_UNSUPPORTED_ROOM_VERSION).
const RoomVersionRules* FindRoomVersion(std::string_view version);

// Spec: rooms/_index.md — "Servers SHOULD use room version 12 as the
// default room version when creating new rooms."
const RoomVersionRules& DefaultRoomVersion();

// The version assumed when an m.room.create event has no room_version.
// Spec: client-server-api m.room.create — "defaults to 1 if not specified".
const RoomVersionRules& ImplicitRoomVersion();

}  // namespace myelin

#endif  // MYELIN_DAG_ROOM_VERSION_ROOM_VERSION_H_
