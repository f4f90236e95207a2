// The room write pipeline for events created by local users (DESIGN.md,
// "Server"): serialised per room, build -> authorise against the current
// state -> hash and sign -> persist -> publish. Publishing is the event
// store's stream tracker; /sync waiters and the federation outbox hang off
// it in later work.
//
// Thread safety: every method may be called from any thread. Sends to one
// room are serialised by a striped lock held from reading the forward
// extremities until the event is persisted, so two sends never build on the
// same DAG position.
#ifndef MYELIN_SERVER_ROOMS_ROOM_WRITER_H_
#define MYELIN_SERVER_ROOMS_ROOM_WRITER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "dag/base/clock.h"
#include "dag/event/builder.h"
#include "dag/pdu/pdu.h"
#include "dag/pdu/power_levels.h"
#include "dag/room_version/room_version.h"
#include "federation/signing_key.h"
#include "server/rooms/pdu_cache.h"
#include "storage/events/event_store.h"

namespace myelin::rooms {

struct SentEvent {
  std::string event_id;
  std::string room_id;
  storage::StreamPos stream = 0;
};

class RoomWriter {
 public:
  // All pointers must outlive the writer.
  RoomWriter(std::string server_name, const federation::SigningKey* key,
             storage::EventStore* store, const Clock* clock);

  // Creates a room with its m.room.create event sent by `creator`.
  // `create_content` is the content as requested (creation_content);
  // room_version and, before v11, creator are set here.
  absl::StatusOr<SentEvent> CreateRoom(const RoomVersionRules& rules,
                                       std::string_view creator,
                                       boost::json::object create_content);

  // Builds, authorises and persists an event of a local user. M_NOT_FOUND
  // for an unknown room; M_FORBIDDEN with the auth rule's reason when the
  // room's current state does not allow it.
  // `txn`, when given, is recorded with the event (durable idempotency).
  absl::StatusOr<SentEvent> Send(
      const event::EventDraft& draft,
      const std::optional<storage::ClientTxn>& txn = std::nullopt);

  // The room's version rules; M_NOT_FOUND for a room this server lacks.
  absl::StatusOr<const RoomVersionRules*> RulesOf(std::string_view room_id) const;

  // A parsed event of the store, cached.
  absl::StatusOr<std::shared_ptr<const CachedPdu>> Load(
      storage::EventNid nid, const RoomVersionRules& rules) const;

  // The current state event (type, state_key) of the room, or NotFound.
  absl::StatusOr<std::shared_ptr<const CachedPdu>> CurrentState(
      std::string_view room_id, std::string_view type,
      std::string_view state_key) const;

  // The caller's power level in the room and the room's power levels, from
  // the current state (defaults when the room has no power levels event).
  struct Powers {
    int64_t user_level = 0;
    PowerLevels levels;
  };
  absl::StatusOr<Powers> PowersOf(std::string_view room_id,
                                  std::string_view user_id) const;

  storage::EventStore& store() const { return *store_; }
  const std::string& server_name() const { return server_name_; }

 private:
  struct Position;
  absl::StatusOr<Position> PositionFor(storage::RoomNid room,
                                       const RoomVersionRules& rules,
                                       const event::EventDraft& draft) const;
  absl::StatusOr<SentEvent> BuildAuthorisePersist(
      const RoomVersionRules& rules, const event::EventDraft& draft,
      const Position& position, bool new_room,
      const std::optional<storage::ClientTxn>& txn = std::nullopt,
      std::optional<int64_t> origin_server_ts = std::nullopt);
  std::mutex& LockFor(std::string_view room_id);
  event::Signer signer() const;

  std::string server_name_;
  const federation::SigningKey* key_;
  storage::EventStore* store_;
  const Clock* clock_;
  mutable PduCache cache_;
  std::array<std::mutex, 64> room_locks_;
  // Serialises the creation of rooms whose id is their create event's hash.
  std::mutex create_mu_;
};

// A fresh random room id "!<18 letters>:<server>" for rooms v1–v11.
std::string NewRoomId(std::string_view server_name);

// A random local part for v1/v2 event ids.
std::string NewEventLocalId();

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_ROOM_WRITER_H_
