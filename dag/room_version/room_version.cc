#include "dag/room_version/room_version.h"

#include <array>

namespace myelin {
namespace {

using EF = EventIdFormat;
using RR = RedactionRules;
using JS = JsonStrictness;
using SR = StateResAlgorithm;

// Each version builds on the previous one; the flag that changes is the one
// the version's page introduces.
constexpr RoomVersionRules kV1 = {
    .id = "1",
    .stable = true,
    .event_id_format = EF::kV1ServerAssigned,
    .redaction = RR::kV1,
    .json = JS::kLenient,
    .state_res = SR::kV1,
    .special_case_aliases_auth = true,
    .enforce_key_validity = false,
    .special_case_redaction_auth = true,
    .limit_notifications_power_levels = false,
    .knocking = false,
    .restricted_join_rule = false,
    .knock_restricted_join_rule = false,
    .integer_power_levels = false,
    .use_room_create_sender = false,
    .require_create_creator = true,
    .redacts_in_content = false,
    .privileged_creators = false,
    .room_id_is_create_event_id = false,
    .event_id_in_event = true,
};

// v2: state resolution v2.
constexpr RoomVersionRules kV2 = [] {
  RoomVersionRules r = kV1;
  r.id = "2";
  r.state_res = SR::kV2;
  return r;
}();

// v3: event ids are reference hashes (standard base64).
constexpr RoomVersionRules kV3 = [] {
  RoomVersionRules r = kV2;
  r.id = "3";
  r.event_id_format = EF::kV3Base64;
  r.event_id_in_event = false;
  r.special_case_redaction_auth = false;
  return r;
}();

// v4: URL-safe base64 event ids.
constexpr RoomVersionRules kV4 = [] {
  RoomVersionRules r = kV3;
  r.id = "4";
  r.event_id_format = EF::kV4UrlSafe;
  return r;
}();

// v5: signing key validity period enforced.
constexpr RoomVersionRules kV5 = [] {
  RoomVersionRules r = kV4;
  r.id = "5";
  r.enforce_key_validity = true;
  return r;
}();

// v6: aliases no longer special, notifications PLs limited, strict JSON,
// new redaction rules.
constexpr RoomVersionRules kV6 = [] {
  RoomVersionRules r = kV5;
  r.id = "6";
  r.special_case_aliases_auth = false;
  r.limit_notifications_power_levels = true;
  r.json = JS::kStrict;
  r.redaction = RR::kV6;
  return r;
}();

// v7: knocking.
constexpr RoomVersionRules kV7 = [] {
  RoomVersionRules r = kV6;
  r.id = "7";
  r.knocking = true;
  return r;
}();

// v8: restricted join rule.
constexpr RoomVersionRules kV8 = [] {
  RoomVersionRules r = kV7;
  r.id = "8";
  r.restricted_join_rule = true;
  r.redaction = RR::kV8;
  return r;
}();

// v9: join_authorised_via_users_server survives redaction.
constexpr RoomVersionRules kV9 = [] {
  RoomVersionRules r = kV8;
  r.id = "9";
  r.redaction = RR::kV9;
  return r;
}();

// v10: knock_restricted, integer-only power levels.
constexpr RoomVersionRules kV10 = [] {
  RoomVersionRules r = kV9;
  r.id = "10";
  r.knock_restricted_join_rule = true;
  r.integer_power_levels = true;
  return r;
}();

// v11: creator is the create sender; redacts moves into content; new
// redaction rules.
constexpr RoomVersionRules kV11 = [] {
  RoomVersionRules r = kV10;
  r.id = "11";
  r.use_room_create_sender = true;
  r.require_create_creator = false;
  r.redacts_in_content = true;
  r.redaction = RR::kV11;
  return r;
}();

// v12: privileged creators, room id = create event id, state res v2.1.
constexpr RoomVersionRules kV12 = [] {
  RoomVersionRules r = kV11;
  r.id = "12";
  r.privileged_creators = true;
  r.room_id_is_create_event_id = true;
  r.state_res = SR::kV21;
  return r;
}();

constexpr std::array<RoomVersionRules, 12> kAll = {
    kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8, kV9, kV10, kV11, kV12};

}  // namespace

std::span<const RoomVersionRules> AllRoomVersions() { return kAll; }

const RoomVersionRules* FindRoomVersion(std::string_view version) {
  for (const RoomVersionRules& r : kAll) {
    if (r.id == version) return &r;
  }
  return nullptr;
}

const RoomVersionRules& DefaultRoomVersion() { return kAll[11]; }

const RoomVersionRules& ImplicitRoomVersion() { return kAll[0]; }

}  // namespace myelin
