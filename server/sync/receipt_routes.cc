#include "server/sync/receipt_routes.h"

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/sync/membership_check.h"

namespace myelin::sync {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kFullyRead = "m.fully_read";

// The caller must be joined and the event must be in the room's timeline.
absl::Status CheckTarget(const ReceiptContext& context, std::string_view room_id,
                         std::string_view user_id, std::string_view event_id) {
  const storage::EventStore& store = *context.events;
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(store, room_id, user_id));
  absl::StatusOr<storage::EventNid> event = store.LookupEvent(event_id);
  if (absl::IsNotFound(event.status())) return NotFound("Event not found");
  RETURN_IF_ERROR(event.status());
  ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(*event));
  if (meta.room_nid != room.room_nid || meta.stream == 0) {
    return NotFound("Event not found in this room");
  }
  return absl::OkStatus();
}

absl::Status Mark(const ReceiptContext& context, std::string_view room_id,
                  std::string_view user_id, std::string_view type,
                  std::string_view event_id, std::string_view thread_id) {
  RETURN_IF_ERROR(CheckTarget(context, room_id, user_id, event_id));
  if (type == kFullyRead) {
    if (!thread_id.empty()) return InvalidParam("m.fully_read is not threaded");
    return context.account_data
        ->Put(user_id, room_id, kFullyRead, {{"event_id", event_id}})
        .status();
  }
  if (type != "m.read" && type != "m.read.private") {
    return InvalidParam(absl::StrCat("unknown receipt type ", AV(type)));
  }
  storage::Receipt receipt{std::string(type), std::string(user_id),
                           std::string(thread_id), std::string(event_id),
                           context.clock->NowMillis()};
  return context.receipts->Put(room_id, receipt).status();
}

absl::StatusOr<Response> PostReceipt(const ReceiptContext& context,
                                     const Request& r) {
  std::string thread;
  if (const auto* id = r.json.as_object().if_contains("thread_id")) {
    // Spec: "main" or the id of a thread root.
    if (!id->is_string() || id->as_string().empty()) {
      return InvalidParam("thread_id must be \"main\" or an event id");
    }
    thread = std::string(id->as_string());
    if (thread != "main" && thread[0] != '$') {
      return InvalidParam("thread_id must be \"main\" or an event id");
    }
  }
  RETURN_IF_ERROR(Mark(context, r.Param("roomId"), r.principal.user_id,
                       r.Param("receiptType"), r.Param("eventId"), thread));
  return Response::Json("{}");
}

absl::StatusOr<Response> PostReadMarkers(const ReceiptContext& context,
                                         const Request& r) {
  const boost::json::object& body = r.json.as_object();
  for (const char* type : {"m.fully_read", "m.read", "m.read.private"}) {
    const auto* event = body.if_contains(type);
    if (event == nullptr) continue;
    if (!event->is_string()) return BadJson(absl::StrCat(type, " must be an event id"));
    RETURN_IF_ERROR(Mark(context, r.Param("roomId"), r.principal.user_id, type,
                         std::string(event->as_string()), ""));
  }
  return Response::Json("{}");
}

}  // namespace

absl::Status AddReceiptRoutes(http::RouteTable* table,
                              const ReceiptContext* context) {
  http::Route receipt;
  receipt.method = http::Method::kPost;
  receipt.pattern = "/rooms/{roomId}/receipt/{receiptType}/{eventId}";
  receipt.auth = http::Auth::kUser;
  receipt.body = http::Body::kJson;
  receipt.handler = [context](const Request& r) { return PostReceipt(*context, r); };
  RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(receipt)));
  http::Route markers;
  markers.method = http::Method::kPost;
  markers.pattern = "/rooms/{roomId}/read_markers";
  markers.auth = http::Auth::kUser;
  markers.body = http::Body::kJson;
  markers.handler = [context](const Request& r) {
    return PostReadMarkers(*context, r);
  };
  return table->AddUnder(http::ClientPrefixes(), std::move(markers));
}

}  // namespace myelin::sync
