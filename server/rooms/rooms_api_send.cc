// Sending events. Spec: client-server-api, "Sending events to a room"
// (PUT /rooms/{roomId}/send, PUT /rooms/{roomId}/state) and "Redactions"
// (PUT /rooms/{roomId}/redact).
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "server/rooms/relations.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;

Response EventIdResponse(const std::string& event_id) {
  return Response::Json(
      boost::json::serialize(boost::json::object{{"event_id", event_id}}));
}

// Runs `send` once per (user, device, txn id); a retry gets the first
// result. Spec: client-server-api, "Transaction identifiers".
// The recent ones are answered from memory; older ones (or after a
// restart) from the store, where Persist recorded the transaction in the
// event's own batch — so a retry after a crash never sends twice.
absl::StatusOr<Response> Idempotent(
    const RoomsContext* context, const Request& r,
    const std::function<absl::StatusOr<SentEvent>(const storage::ClientTxn&)>&
        send) {
  const std::string& user = r.principal.user_id;
  const std::string& device = r.principal.device_id;
  std::string_view txn = r.Param("txnId");
  std::lock_guard<std::mutex> lock(context->txns->LockFor(user, device, txn));
  int64_t now = context->clock->NowMillis();
  if (auto previous = context->txns->Find(user, device, txn, now)) {
    return EventIdResponse(*previous);
  }
  storage::ClientTxn client_txn{user, device, std::string(txn)};
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   context->writer->store().EventOfTxn(client_txn));
  if (stored.has_value()) {
    context->txns->Record(user, device, txn, *stored, now);
    return EventIdResponse(*stored);
  }
  ASSIGN_OR_RETURN(SentEvent sent, send(client_txn));
  context->txns->Record(user, device, txn, sent.event_id, now);
  return EventIdResponse(sent.event_id);
}

absl::StatusOr<Response> SendMessage(const RoomsContext* context, const Request& r) {
  return Idempotent(context, r,
                    [&](const storage::ClientTxn& txn) -> absl::StatusOr<SentEvent> {
    event::EventDraft draft;
    draft.room_id = std::string(r.Param("roomId"));
    draft.type = std::string(r.Param("eventType"));
    draft.sender = r.principal.user_id;
    draft.content = r.json.as_object();
    RETURN_IF_ERROR(CheckNewRelation(*context, draft.room_id, draft.type,
                                     draft.sender, draft.content));
    return context->writer->Send(draft, txn);
  });
}

absl::StatusOr<Response> SendState(const RoomsContext* context, const Request& r) {
  event::EventDraft draft;
  draft.room_id = std::string(r.Param("roomId"));
  draft.type = std::string(r.Param("eventType"));
  draft.state_key = std::string(r.Param("stateKey"));
  draft.sender = r.principal.user_id;
  draft.content = r.json.as_object();
  RETURN_IF_ERROR(CheckStateEvent(*context, draft));
  ASSIGN_OR_RETURN(SentEvent sent, context->writer->Send(draft));
  return EventIdResponse(sent.event_id);
}

// Spec: "Redactions" and the auth rules (rooms/v1, m.room.redaction; v3+
// "Handling redactions"): a user may redact their own events; another
// user's needs the room's redact power level. The target must be an event
// of the room (M_NOT_FOUND otherwise).
absl::Status CheckRedaction(const RoomsContext& context, std::string_view room_id,
                            std::string_view target, std::string_view user) {
  storage::EventStore& store = context.writer->store();
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(room_id);
  absl::StatusOr<storage::EventNid> nid = store.LookupEvent(target);
  if (!room.ok() || !nid.ok()) {
    if (!room.ok() && !absl::IsNotFound(room.status())) return room.status();
    if (!nid.ok() && !absl::IsNotFound(nid.status())) return nid.status();
    return NotFound("Event not found");
  }
  ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(*nid));
  if (meta.room_nid != room->room_nid || meta.rejected) {
    return NotFound("Event not found");
  }
  ASSIGN_OR_RETURN(std::string sender, store.UserId(meta.sender_nid));
  if (sender == user) return absl::OkStatus();
  ASSIGN_OR_RETURN(RoomWriter::Powers powers, context.writer->PowersOf(room_id, user));
  if (powers.user_level < powers.levels.Get(PowerLevelField::kRedact)) {
    return Forbidden("You don't have permission to redact other users' events");
  }
  return absl::OkStatus();
}

absl::StatusOr<Response> Redact(const RoomsContext* context, const Request& r) {
  return Idempotent(context, r,
                    [&](const storage::ClientTxn& txn) -> absl::StatusOr<SentEvent> {
    RETURN_IF_ERROR(CheckRedaction(*context, r.Param("roomId"), r.Param("eventId"),
                                   r.principal.user_id));
    event::EventDraft draft;
    draft.room_id = std::string(r.Param("roomId"));
    draft.type = "m.room.redaction";
    draft.sender = r.principal.user_id;
    draft.redacts = std::string(r.Param("eventId"));
    if (const auto* reason = r.json.as_object().if_contains("reason")) {
      if (!reason->is_string()) return BadJson("reason must be a string");
      draft.content["reason"] = *reason;
    }
    return context->writer->Send(draft, txn);
  });
}

}  // namespace

absl::Status AddSendRoutes(http::RouteTable* table, const RoomsContext* context) {
  struct Spec {
    const char* pattern;
    absl::StatusOr<Response> (*handler)(const RoomsContext*, const Request&);
  };
  const Spec specs[] = {
      {"/rooms/{roomId}/send/{eventType}/{txnId}", &SendMessage},
      {"/rooms/{roomId}/state/{eventType}/{stateKey}", &SendState},
      // The empty state key may also be given by leaving it out.
      {"/rooms/{roomId}/state/{eventType}", &SendState},
      {"/rooms/{roomId}/redact/{eventId}/{txnId}", &Redact},
  };
  for (const Spec& spec : specs) {
    http::Route route;
    route.method = http::Method::kPut;
    route.pattern = spec.pattern;
    route.auth = http::Auth::kUser;
    route.rate_limit = context->message_limit;
    route.body = http::Body::kJson;
    route.handler = [context, handler = spec.handler](const Request& r) {
      return handler(context, r);
    };
    RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(route)));
  }
  return absl::OkStatus();
}

}  // namespace myelin::rooms
