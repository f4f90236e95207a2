// Building a new event that a local user sends: fill in the DAG position,
// timestamps and version-specific fields, hash, sign and derive its id.
// Spec: server-server-api "PDUs" and "Signing Events"; rooms/v1 "Event IDs"
// (server-assigned ids), v3/v4 reference-hash ids, v11 event format
// (`redacts` in content), v12 event format (create events have no room_id;
// the room id is derived from the create event's id).
//
// Pure: the caller passes the time and, for v1/v2 rooms, the random local
// part of the event id. Thread-safe.
#ifndef MYELIN_DAG_EVENT_BUILDER_H_
#define MYELIN_DAG_EVENT_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "dag/crypto/ed25519.h"
#include "dag/room_version/room_version.h"

namespace myelin::event {

// A referenced event: its id and, for v1/v2 rooms whose prev_events and
// auth_events are [id, {hashes}] pairs, its `hashes` object.
struct EventRef {
  std::string event_id;
  boost::json::object hashes;
};

// What the sender asked for.
struct EventDraft {
  std::string room_id;  // Ignored for a v12 create event.
  std::string type;
  std::optional<std::string> state_key;
  std::string sender;
  boost::json::object content;
  std::optional<std::string> redacts;  // For m.room.redaction.
};

// Where the event sits in the room's DAG.
struct DagPosition {
  std::vector<EventRef> prev_events;
  std::vector<EventRef> auth_events;
  int64_t depth = 1;
};

struct Signer {
  std::string server_name;
  std::string key_id;  // "ed25519:a_AbCd"
  const crypto::Ed25519KeyPair* key = nullptr;
};

struct BuiltEvent {
  std::string event_id;
  std::string room_id;
  // The signed event as sent over federation (with event_id only for
  // v1/v2, where it is part of the event).
  boost::json::object json;
  // Its canonical JSON: what is stored and hashed.
  std::string canonical;
};

// `v1_local_id` is the random local part of a v1/v2 event id
// ("$<v1_local_id>:<server>"); unused for other versions.
absl::StatusOr<BuiltEvent> BuildEvent(const RoomVersionRules& rules,
                                      const EventDraft& draft,
                                      const DagPosition& position,
                                      int64_t origin_server_ts,
                                      const Signer& signer,
                                      std::string_view v1_local_id = {});

}  // namespace myelin::event

#endif  // MYELIN_DAG_EVENT_BUILDER_H_
