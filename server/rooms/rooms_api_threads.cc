// GET /_matrix/client/v1/rooms/{roomId}/threads. Spec: client-server-api,
// modules/threading "Querying threads in a room", threads_list.yaml.
//
// Thread roots come newest activity first (storage: roomnid_threads), each
// served with its bundled aggregations (the m.thread summary). Pagination
// token: the decimal stream position of the last thread's latest reply;
// the next page holds threads whose latest reply is older.
#include <algorithm>
#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/rooms/relations.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
namespace {

using http::Request;
using http::Response;
using storage::StreamPos;

constexpr size_t kDefaultLimit = 20;
constexpr size_t kMaxLimit = 100;
// Threads examined per request when include=participated filters them.
constexpr size_t kMaxScanned = 2000;
constexpr StreamPos kEnd = std::numeric_limits<StreamPos>::max();

// Spec: threading, current_user_participated — the root's sender or the
// sender of one of its m.thread replies.
absl::StatusOr<bool> Participated(const RoomsContext& context,
                                  storage::RoomNid room,
                                  const storage::EventMeta& root,
                                  storage::UserNid user) {
  if (root.sender_nid == user) return true;
  ASSIGN_OR_RETURN(
      auto replies,
      context.relations->Children(room, root.event_id, storage::kRelThread, 0,
                                  storage::Direction::kForward, kMaxScanned));
  return std::any_of(
      replies.begin(), replies.end(),
      [&](const storage::Relation& r) { return r.sender == user; });
}

absl::StatusOr<Response> GetThreads(const RoomsContext* context,
                                    const Request& r) {
  ASSIGN_OR_RETURN(
      storage::RoomInfo room,
      RequireJoined(*context, r.Param("roomId"), r.principal.user_id));
  std::string_view include = r.Query("include");
  if (!include.empty() && include != "all" && include != "participated") {
    return InvalidParam("include must be all or participated");
  }
  size_t limit = kDefaultLimit;
  if (r.HasQuery("limit") &&
      (!absl::SimpleAtoi(AV(r.Query("limit")), &limit) || limit == 0)) {
    return InvalidParam("limit must be a positive integer");
  }
  limit = std::min(limit, kMaxLimit);
  StreamPos before = kEnd;
  if (!r.Query("from").empty() &&
      !absl::SimpleAtoi(AV(r.Query("from")), &before)) {
    return InvalidParam("Invalid pagination token");
  }
  if (context->relations == nullptr) return NotFound("Threads unavailable");
  storage::EventStore& store = context->writer->store();
  ASSIGN_OR_RETURN(storage::UserNid user,
                   store.LookupUser(r.principal.user_id));
  boost::json::array chunk;
  size_t scanned = 0;
  bool more = true;
  while (chunk.size() < limit && scanned < kMaxScanned && more) {
    ASSIGN_OR_RETURN(auto threads,
                     context->relations->Threads(room.room_nid, before, limit));
    more = threads.size() == limit;
    for (const storage::ThreadEntry& thread : threads) {
      ++scanned;
      before = thread.latest;
      absl::StatusOr<storage::EventNid> root =
          store.LookupEvent(thread.root_id);
      if (absl::IsNotFound(root.status())) continue;  // not (yet) received
      if (!root.ok()) return root.status();
      ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(*root));
      if (meta.stream == 0) continue;
      if (include == "participated") {
        ASSIGN_OR_RETURN(bool took_part,
                         Participated(*context, room.room_nid, meta, user));
        if (!took_part) continue;
      }
      ASSIGN_OR_RETURN(boost::json::object event,
                       ServeEvent(*context, room, *root, r.principal.user_id));
      chunk.push_back(std::move(event));
      if (chunk.size() == limit) break;
    }
  }
  boost::json::object body{{"chunk", std::move(chunk)}};
  // Spec: next_batch is absent when there are no more results.
  ASSIGN_OR_RETURN(auto rest,
                   context->relations->Threads(room.room_nid, before, 1));
  if (!rest.empty()) body["next_batch"] = absl::StrCat(before);
  return Response::Json(boost::json::serialize(body));
}

}  // namespace

absl::Status AddThreadsRoutes(http::RouteTable* table,
                              const RoomsContext* context) {
  http::Route route;
  route.pattern = "/_matrix/client/v1/rooms/{roomId}/threads";
  route.auth = http::Auth::kUser;
  route.handler = [context](const Request& r) {
    return GetThreads(context, r);
  };
  return table->Add(std::move(route));
}

}  // namespace myelin::rooms
