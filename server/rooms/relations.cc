#include "server/rooms/relations.h"

#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/event/redaction.h"
#include "dag/json/parse.h"
#include "server/rooms/client_event.h"

namespace myelin::rooms {
namespace {

using storage::EventNid;
using storage::Relation;

// Aggregations read at most this many children of one kind per event.
constexpr size_t kMaxAggregated = 10000;
constexpr storage::StreamPos kEnd =
    std::numeric_limits<storage::StreamPos>::max();

std::string_view DomainOf(std::string_view user_id) {
  size_t colon = user_id.find(':');
  return colon == std::string_view::npos ? "" : user_id.substr(colon + 1);
}

std::string StringOf(const boost::json::object& o, std::string_view key) {
  const auto* v =
      o.if_contains(boost::json::string_view(key.data(), key.size()));
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}

// Serves the events of one room to one viewer.
class EventServer {
 public:
  EventServer(const RoomsContext& context, const storage::RoomInfo& room,
              std::string_view viewer)
      : context_(context),
        store_(context.writer->store()),
        room_(room),
        viewer_(viewer) {}

  absl::StatusOr<boost::json::object> Serve(EventNid nid, int depth);

 private:
  // `redaction` (the first stored redaction of an event sent by `sender`)
  // if it applies, else 0. Spec: rooms/v3+
  // "Handling redactions": a redaction applies when its sender is of the
  // redacted event's server, or has the redact power level (read from the
  // current state here). Earlier versions checked that in the auth rules.
  absl::StatusOr<EventNid> ValidRedaction(EventNid redaction,
                                          std::string_view sender);
  absl::StatusOr<bool> ChildRedacted(const Relation& child);
  // Adds unsigned["m.relations"] to `event` (client format, which has the
  // sender, type, state_key and content the checks need).
  absl::Status Bundle(std::string_view event_id, bool redacted, int depth,
                      boost::json::object& event);
  absl::StatusOr<std::optional<EventNid>> LatestEdit(
      std::string_view event_id, const boost::json::object& original);
  absl::StatusOr<std::optional<boost::json::object>> Thread(
      std::string_view event_id, const boost::json::object& root, int depth);
  absl::StatusOr<boost::json::array> References(std::string_view event_id);
  absl::StatusOr<storage::UserNid> ViewerNid();

  const RoomsContext& context_;
  storage::EventStore& store_;
  const storage::RoomInfo& room_;
  std::string_view viewer_;
  std::optional<storage::UserNid> viewer_nid_;
};

absl::StatusOr<boost::json::object> EventServer::Serve(EventNid nid,
                                                       int depth) {
  ASSIGN_OR_RETURN(std::string json, store_.EventJson(nid));
  ASSIGN_OR_RETURN(std::string event_id, store_.EventId(nid));
  int64_t now = context_.clock->NowMillis();
  if (context_.relations == nullptr) {
    return ToClientEvent(json, event_id, room_.room_id, now);
  }
  ASSIGN_OR_RETURN(EventNid redaction,
                   context_.relations->RedactionOf(room_.room_nid, event_id));
  boost::json::object event;
  boost::json::object pdu;
  // The stored JSON is parsed here only for redacted events (the common
  // case parses it once, in ToClientEvent).
  if (redaction != 0) {
    ASSIGN_OR_RETURN(pdu, json::ParseJsonObject(json));
    ASSIGN_OR_RETURN(redaction,
                     ValidRedaction(redaction, StringOf(pdu, "sender")));
  }
  if (redaction != 0) {
    ASSIGN_OR_RETURN(const RoomVersionRules* rules,
                     store_.RoomVersion(room_.room_nid));
    std::string redacted =
        boost::json::serialize(event::Redact(pdu, rules->redaction));
    ASSIGN_OR_RETURN(event,
                     ToClientEvent(redacted, event_id, room_.room_id, now));
    // Spec: "Redactions" — the redaction event, in client format.
    ASSIGN_OR_RETURN(boost::json::object because, Serve(redaction, -1));
    event["unsigned"].as_object()["redacted_because"] = std::move(because);
  } else {
    ASSIGN_OR_RETURN(event, ToClientEvent(json, event_id, room_.room_id, now));
  }
  RETURN_IF_ERROR(Bundle(event_id, redaction != 0, depth, event));
  return event;
}

absl::StatusOr<EventNid> EventServer::ValidRedaction(EventNid redaction,
                                                     std::string_view sender) {
  ASSIGN_OR_RETURN(storage::EventMeta meta, store_.Meta(redaction));
  ASSIGN_OR_RETURN(std::string redactor, store_.UserId(meta.sender_nid));
  if (DomainOf(redactor) == DomainOf(sender)) return redaction;
  ASSIGN_OR_RETURN(RoomWriter::Powers powers,
                   context_.writer->PowersOf(room_.room_id, redactor));
  if (powers.user_level >= powers.levels.Get(PowerLevelField::kRedact)) {
    return redaction;
  }
  return EventNid{0};
}

absl::StatusOr<bool> EventServer::ChildRedacted(const Relation& child) {
  ASSIGN_OR_RETURN(std::string id, store_.EventId(child.child));
  return IsRedacted(context_, room_.room_nid, id);
}

absl::StatusOr<storage::UserNid> EventServer::ViewerNid() {
  if (!viewer_nid_) {
    absl::StatusOr<storage::UserNid> nid = store_.LookupUser(viewer_);
    if (!nid.ok() && !absl::IsNotFound(nid.status())) return nid.status();
    viewer_nid_ = nid.ok() ? *nid : 0;
  }
  return *viewer_nid_;
}

absl::Status EventServer::Bundle(std::string_view event_id, bool redacted,
                                 int depth, boost::json::object& event) {
  if (depth < 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(bool has_children,
                   context_.relations->HasChildren(room_.room_nid, event_id));
  if (!has_children) return absl::OkStatus();
  boost::json::object relations;
  // Spec: event_replacements — no m.replace bundle for a redacted original.
  if (!redacted) {
    ASSIGN_OR_RETURN(std::optional<EventNid> edit, LatestEdit(event_id, event));
    if (edit) {
      ASSIGN_OR_RETURN(boost::json::object e, Serve(*edit, -1));
      relations["m.replace"] = std::move(e);
    }
  }
  ASSIGN_OR_RETURN(std::optional<boost::json::object> thread,
                   Thread(event_id, event, depth));
  if (thread) relations["m.thread"] = *std::move(thread);
  ASSIGN_OR_RETURN(boost::json::array references, References(event_id));
  if (!references.empty()) {
    relations["m.reference"] = {{"chunk", std::move(references)}};
  }
  if (!relations.empty()) {
    event["unsigned"].as_object()["m.relations"] = std::move(relations);
  }
  return absl::OkStatus();
}

// Spec: event_replacements, "Validity of replacement events" and
// "Server-side aggregation": the most recent valid replacement by
// (origin_server_ts, event_id).
absl::StatusOr<std::optional<EventNid>> EventServer::LatestEdit(
    std::string_view event_id, const boost::json::object& original) {
  std::optional<EventNid> best;
  if (original.contains("state_key")) return best;
  const auto* content = original.if_contains("content");
  if (content != nullptr && content->is_object()) {
    auto relates = storage::RelatesToOf(content->as_object());
    if (relates && relates->rel_type == storage::kRelReplace) return best;
  }
  ASSIGN_OR_RETURN(auto edits,
                   context_.relations->Children(
                       room_.room_nid, event_id, storage::kRelReplace, 0,
                       storage::Direction::kForward, kMaxAggregated));
  std::pair<int64_t, std::string> best_key;
  for (const Relation& edit : edits) {
    ASSIGN_OR_RETURN(std::string json, store_.EventJson(edit.child));
    ASSIGN_OR_RETURN(boost::json::object pdu, json::ParseJsonObject(json));
    const auto* edit_content = pdu.if_contains("content");
    const boost::json::value* new_content =
        edit_content != nullptr && edit_content->is_object()
            ? edit_content->as_object().if_contains("m.new_content")
            : nullptr;
    // An encrypted replacement carries m.new_content in its ciphertext;
    // only its recipients can check it.
    bool encrypted = StringOf(pdu, "type") == "m.room.encrypted";
    if (StringOf(pdu, "sender") != StringOf(original, "sender") ||
        StringOf(pdu, "type") != StringOf(original, "type") ||
        pdu.contains("state_key") ||
        (!encrypted && (new_content == nullptr || !new_content->is_object()))) {
      continue;
    }
    ASSIGN_OR_RETURN(bool redacted, ChildRedacted(edit));
    if (redacted) continue;
    ASSIGN_OR_RETURN(storage::EventMeta meta, store_.Meta(edit.child));
    std::pair<int64_t, std::string> key{meta.origin_server_ts, meta.event_id};
    if (!best || key > best_key) {
      best = edit.child;
      best_key = std::move(key);
    }
  }
  return best;
}

// Spec: threading, "Event aggregation": count, latest_event (the most
// recent reply, served like the root and with its own aggregations) and
// current_user_participated.
absl::StatusOr<std::optional<boost::json::object>> EventServer::Thread(
    std::string_view event_id, const boost::json::object& root, int depth) {
  ASSIGN_OR_RETURN(auto replies,
                   context_.relations->Children(
                       room_.room_nid, event_id, storage::kRelThread, kEnd,
                       storage::Direction::kBackward, kMaxAggregated));
  ASSIGN_OR_RETURN(storage::UserNid viewer, ViewerNid());
  bool participated = !viewer_.empty() && StringOf(root, "sender") == viewer_;
  int64_t count = 0;
  std::optional<EventNid> latest;
  for (const Relation& reply : replies) {
    ASSIGN_OR_RETURN(bool redacted, ChildRedacted(reply));
    if (redacted) continue;
    ++count;
    if (!latest) latest = reply.child;
    if (viewer != 0 && reply.sender == viewer) participated = true;
  }
  if (!latest) return std::nullopt;
  ASSIGN_OR_RETURN(boost::json::object latest_event, Serve(*latest, depth - 1));
  return boost::json::object{{"latest_event", std::move(latest_event)},
                             {"count", count},
                             {"current_user_participated", participated}};
}

absl::StatusOr<boost::json::array> EventServer::References(
    std::string_view event_id) {
  ASSIGN_OR_RETURN(auto references,
                   context_.relations->Children(
                       room_.room_nid, event_id, storage::kRelReference, 0,
                       storage::Direction::kForward, kMaxAggregated));
  boost::json::array chunk;
  for (const Relation& reference : references) {
    ASSIGN_OR_RETURN(bool redacted, ChildRedacted(reference));
    if (redacted) continue;
    ASSIGN_OR_RETURN(std::string id, store_.EventId(reference.child));
    chunk.push_back(boost::json::object{{"event_id", id}});
  }
  return chunk;
}

}  // namespace

absl::StatusOr<boost::json::object> ServeEvent(const RoomsContext& context,
                                               const storage::RoomInfo& room,
                                               storage::EventNid nid,
                                               std::string_view viewer) {
  EventServer server(context, room, viewer);
  return server.Serve(nid, 1);
}

absl::StatusOr<std::vector<boost::json::object>> ServeStateEvents(
    const RoomsContext& context, const storage::RoomInfo& room,
    const std::vector<storage::EventNid>& nids) {
  storage::EventStore& store = context.writer->store();
  ASSIGN_OR_RETURN(std::vector<std::string> jsons, store.EventJsons(nids));
  EventServer server(context, room, "");
  int64_t now = context.clock->NowMillis();
  std::vector<boost::json::object> events;
  events.reserve(nids.size());
  for (size_t i = 0; i < nids.size(); ++i) {
    ASSIGN_OR_RETURN(std::string event_id, store.EventId(nids[i]));
    EventNid redaction = 0;
    if (context.relations != nullptr) {
      ASSIGN_OR_RETURN(redaction,
                       context.relations->RedactionOf(room.room_nid, event_id));
    }
    if (redaction != 0) {
      // Depth -1: redacted, without aggregations.
      ASSIGN_OR_RETURN(boost::json::object event, server.Serve(nids[i], -1));
      events.push_back(std::move(event));
      continue;
    }
    ASSIGN_OR_RETURN(boost::json::object event,
                     ToClientEvent(jsons[i], event_id, room.room_id, now));
    events.push_back(std::move(event));
  }
  return events;
}

namespace {

absl::Status CheckThreadRoot(const RoomsContext& context,
                             storage::EventNid root) {
  ASSIGN_OR_RETURN(std::string json, context.writer->store().EventJson(root));
  ASSIGN_OR_RETURN(boost::json::object pdu, json::ParseJsonObject(json));
  const auto* content = pdu.if_contains("content");
  if (content != nullptr && content->is_object() &&
      content->as_object().contains("m.relates_to")) {
    return MatrixError(400, errcode::kUnknown,
                       "Cannot start a thread from an event with a relation");
  }
  return absl::OkStatus();
}

std::string AnnotationKey(const boost::json::object& content) {
  const auto* relates = content.if_contains("m.relates_to");
  if (relates == nullptr || !relates->is_object()) return "";
  return StringOf(relates->as_object(), "key");
}

absl::Status CheckDuplicateAnnotation(const RoomsContext& context,
                                      storage::RoomNid room,
                                      std::string_view parent,
                                      std::string_view type,
                                      std::string_view sender,
                                      const boost::json::object& content) {
  storage::EventStore& store = context.writer->store();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(sender);
  if (!user.ok())
    return absl::IsNotFound(user.status()) ? absl::OkStatus() : user.status();
  ASSIGN_OR_RETURN(auto annotations,
                   context.relations->Children(room, parent, "m.annotation", 0,
                                               storage::Direction::kForward,
                                               kMaxAggregated));
  std::string key = AnnotationKey(content);
  for (const Relation& annotation : annotations) {
    if (annotation.sender != *user) continue;
    ASSIGN_OR_RETURN(std::string json, store.EventJson(annotation.child));
    ASSIGN_OR_RETURN(boost::json::object pdu, json::ParseJsonObject(json));
    const auto* other = pdu.if_contains("content");
    if (StringOf(pdu, "type") != type || other == nullptr ||
        !other->is_object() || AnnotationKey(other->as_object()) != key) {
      continue;
    }
    ASSIGN_OR_RETURN(std::string id, store.EventId(annotation.child));
    ASSIGN_OR_RETURN(bool redacted, IsRedacted(context, room, id));
    if (!redacted) {
      return MatrixError(400, "M_DUPLICATE_ANNOTATION",
                         "You have already sent this annotation");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckNewRelation(const RoomsContext& context,
                              std::string_view room_id, std::string_view type,
                              std::string_view sender,
                              const boost::json::object& content) {
  std::optional<storage::RelatesTo> relates = storage::RelatesToOf(content);
  if (!relates || context.relations == nullptr) return absl::OkStatus();
  storage::EventStore& store = context.writer->store();
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(room_id);
  absl::StatusOr<storage::EventNid> parent =
      store.LookupEvent(relates->event_id);
  if (!room.ok() || !parent.ok()) {
    if (!room.ok() && !absl::IsNotFound(room.status())) return room.status();
    if (!parent.ok() && !absl::IsNotFound(parent.status()))
      return parent.status();
    return absl::OkStatus();  // the auth rules or federation decide
  }
  if (relates->rel_type == storage::kRelThread) {
    return CheckThreadRoot(context, *parent);
  }
  if (relates->rel_type == "m.annotation") {
    return CheckDuplicateAnnotation(context, room->room_nid, relates->event_id,
                                    type, sender, content);
  }
  return absl::OkStatus();
}

absl::StatusOr<storage::RoomInfo> RequireJoined(const RoomsContext& context,
                                                std::string_view room_id,
                                                std::string_view user_id) {
  storage::EventStore& store = context.writer->store();
  absl::Status forbidden = Forbidden("You are not a member of this room");
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(room_id);
  if (!room.ok())
    return absl::IsNotFound(room.status()) ? forbidden : room.status();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(user_id);
  if (!user.ok())
    return absl::IsNotFound(user.status()) ? forbidden : user.status();
  ASSIGN_OR_RETURN(storage::Membership membership,
                   store.MembershipOf(room->room_nid, *user));
  if (membership != storage::Membership::kJoin) return forbidden;
  return room;
}

absl::StatusOr<bool> IsRedacted(const RoomsContext& context,
                                storage::RoomNid room,
                                std::string_view event_id) {
  if (context.relations == nullptr) return false;
  ASSIGN_OR_RETURN(storage::EventNid redaction,
                   context.relations->RedactionOf(room, event_id));
  return redaction != 0;
}

}  // namespace myelin::rooms
