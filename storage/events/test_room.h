// Test helper: builds events of one room and persists them.
//
//   TestRoom room(*store, "!r:example.org");
//   room.Create("@alice:example.org");
//   room.Join("@alice:example.org");
//   ASSIGN_OR_RETURN(PersistedEvent ev, room.Message("@alice:example.org"));
//
// Events are linear by default: each names the previous one as its only
// prev event, with depth + 1. Event ids are "$<room-local counter>.<room>".
#ifndef MYELIN_STORAGE_EVENTS_TEST_ROOM_H_
#define MYELIN_STORAGE_EVENTS_TEST_ROOM_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dag/pdu/pdu.h"
#include "storage/events/event_store.h"

namespace myelin::storage::testing {

struct BuiltEvent {
  std::string event_id;
  std::string json;
  Pdu pdu;
};

class TestRoom {
 public:
  TestRoom(EventStore& store, std::string room_id,
           std::string_view version = "10");

  // An event with explicit prev events and depth (not persisted).
  BuiltEvent Build(std::string_view type, std::string_view sender,
                   std::optional<std::string_view> state_key,
                   std::string_view content_json,
                   const std::vector<std::string>& prev_events,
                   int64_t depth);
  // The next linear event (prev = the last persisted or built-by-Next one).
  BuiltEvent Next(std::string_view type, std::string_view sender,
                  std::optional<std::string_view> state_key,
                  std::string_view content_json);

  // Persists `event` with `request` fields filled in (room, pdu, json,
  // version).
  absl::StatusOr<PersistedEvent> Persist(const BuiltEvent& event,
                                         PersistRequest request = {});

  absl::StatusOr<PersistedEvent> Create(std::string_view creator);
  absl::StatusOr<PersistedEvent> Member(std::string_view user,
                                        std::string_view membership,
                                        std::string_view sender = {});
  absl::StatusOr<PersistedEvent> State(std::string_view type,
                                       std::string_view state_key,
                                       std::string_view sender,
                                       std::string_view content_json = "{}");
  absl::StatusOr<PersistedEvent> Message(std::string_view sender,
                                         std::string_view body = "hi");

  // After reopening the database in a test.
  void set_store(EventStore& store) { store_ = &store; }
  // Event ids become "$<prefix><counter>.<room>" (to continue a room in a
  // new process without reusing ids).
  void set_id_prefix(std::string prefix) { id_prefix_ = std::move(prefix); }
  // The next Next() builds on this event.
  void ContinueFrom(std::string last_event_id, int64_t depth) {
    last_event_id_ = std::move(last_event_id);
    last_depth_ = depth;
  }

  const std::string& room_id() const { return room_id_; }
  const RoomVersionRules& rules() const { return *rules_; }
  const std::string& last_event_id() const { return last_event_id_; }
  int64_t last_depth() const { return last_depth_; }

 private:
  EventStore* store_;
  std::string room_id_;
  const RoomVersionRules* rules_;
  std::string id_prefix_;
  int counter_ = 0;
  std::string last_event_id_;
  int64_t last_depth_ = 0;
};

}  // namespace myelin::storage::testing

#endif  // MYELIN_STORAGE_EVENTS_TEST_ROOM_H_
