// Relations between events, threads and redactions, indexed when an event
// is persisted (storage/FORMAT.md, "Relations, threads and redactions").
//
//   // In EventStore::Persist, into the event's own batch:
//   RETURN_IF_ERROR(StageRelations(engine, source, batch));
//   // When serving:
//   RelationStore relations(engine);
//   ASSIGN_OR_RETURN(EventNid redaction, relations.RedactionOf(room, id));
//
// Spec: client-server-api, "Forming relationships between events"
// (m.relates_to with rel_type and event_id), "Threading", "Redactions".
//
// Thread safety: every function may be called from any thread. Staging
// reads committed rows of the room (the previous latest thread reply), so
// the caller must serialise persists per room, as EventStore does.
// Ownership: the Engine must outlive a RelationStore.
#ifndef MYELIN_STORAGE_RELATIONS_RELATION_STORE_H_
#define MYELIN_STORAGE_RELATIONS_RELATION_STORE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dag/pdu/pdu.h"
#include "rocksdb/write_batch.h"
#include "storage/engine.h"
#include "storage/events/types.h"

namespace myelin::storage {

inline constexpr std::string_view kRelThread = "m.thread";
inline constexpr std::string_view kRelReplace = "m.replace";
inline constexpr std::string_view kRelReference = "m.reference";

// One timeline event about to be persisted (never an outlier or a
// rejected event: those are not relations).
struct RelationSource {
  RoomNid room = 0;
  EventNid event = 0;
  UserNid sender = 0;
  StreamPos stream = 0;
  const Pdu* pdu = nullptr;  // not owned
};

// Stages the event's rows into `batch`: its relation to a parent (when its
// content.m.relates_to has string rel_type and event_id), the thread's new
// latest position (m.thread), and the redaction of its target (an
// m.room.redaction with `redacts`, unless the target has one already).
absl::Status StageRelations(const Engine& engine, const RelationSource& source,
                            rocksdb::WriteBatch& batch);

// content.m.relates_to of an event as (rel_type, event_id), when both are
// strings.
struct RelatesTo {
  std::string rel_type;
  std::string event_id;
};
std::optional<RelatesTo> RelatesToOf(const boost::json::object& content);

struct Relation {
  StreamPos stream = 0;  // the child's stream position
  EventNid child = 0;
  UserNid sender = 0;
  std::string rel_type;
};

struct ThreadEntry {
  StreamPos latest = 0;  // stream of the thread's latest reply
  std::string root_id;
};

class RelationStore {
 public:
  explicit RelationStore(const Engine& engine) : engine_(engine) {}

  // Children of `parent` in `room`, only of `rel_type` unless it is empty,
  // in stream order: forward, those with stream > `from`; backward (newest
  // first), those with stream < `from`. At most `limit`.
  absl::StatusOr<std::vector<Relation>> Children(
      RoomNid room, std::string_view parent, std::string_view rel_type,
      StreamPos from, Direction direction, size_t limit) const;

  // Whether `parent` has any child in `room`: one bloom-filtered point
  // lookup, so serving events without children (the common case) is cheap.
  absl::StatusOr<bool> HasChildren(RoomNid room, std::string_view parent) const;

  // The nid of the first redaction of `event_id` in `room`, or 0: one
  // bloom-filtered point lookup.
  absl::StatusOr<EventNid> RedactionOf(RoomNid room,
                                       std::string_view event_id) const;

  // The room's threads by latest activity, newest first, whose latest
  // reply has stream < `before`. At most `limit`.
  absl::StatusOr<std::vector<ThreadEntry>> Threads(RoomNid room,
                                                   StreamPos before,
                                                   size_t limit) const;

 private:
  const Engine& engine_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_RELATIONS_RELATION_STORE_H_
