// GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}[/{relType}
// [/{eventType}]]. Spec: client-server-api, "Relationships", relations.yaml.
//
// Pagination tokens: "r<stream>", a position in the server's event stream.
// Paging backward (the default, newest first) from r<N> returns children
// with stream < N, forward returns those with stream > N; next_batch is the
// last child returned. A /messages token "t<depth>_<stream>" is accepted as
// r<stream>. `to` stops before the child at that position.
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

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
using storage::Relation;
using storage::StreamPos;

constexpr size_t kDefaultLimit = 50;
constexpr size_t kMaxLimit = 1000;
// Children considered per request (before filtering by event type).
constexpr size_t kMaxScanned = 10000;
// Spec: recurse — the server chooses the depth; Synapse uses 3 as well.
constexpr int kMaxRecursion = 3;

absl::StatusOr<StreamPos> ParseToken(std::string_view token) {
  StreamPos stream = 0;
  if (token.size() > 1 && token[0] == 'r' &&
      absl::SimpleAtoi(AV(token.substr(1)), &stream)) {
    return stream;
  }
  size_t underscore = token.find('_');
  if (token.size() > 1 && token[0] == 't' &&
      underscore != std::string_view::npos &&
      absl::SimpleAtoi(AV(token.substr(underscore + 1)), &stream)) {
    return stream;
  }
  return InvalidParam("Invalid pagination token");
}

struct Query {
  bool backward = true;
  StreamPos from = 0;
  std::optional<StreamPos> to;
  size_t limit = kDefaultLimit;
  bool recurse = false;
};

absl::StatusOr<Query> ParseQuery(const Request& r) {
  Query q;
  std::string_view dir = r.Query("dir");
  if (!dir.empty() && dir != "b" && dir != "f") {
    return InvalidParam("dir must be b or f");
  }
  q.backward = dir != "f";
  q.from = q.backward ? std::numeric_limits<StreamPos>::max() : 0;
  if (!r.Query("from").empty()) {
    ASSIGN_OR_RETURN(q.from, ParseToken(r.Query("from")));
  }
  if (!r.Query("to").empty()) {
    ASSIGN_OR_RETURN(StreamPos to, ParseToken(r.Query("to")));
    q.to = to;
  }
  if (r.HasQuery("limit") &&
      (!absl::SimpleAtoi(AV(r.Query("limit")), &q.limit) || q.limit == 0)) {
    return InvalidParam("limit must be a positive integer");
  }
  q.limit = std::min(q.limit, kMaxLimit);
  std::string_view recurse = r.Query("recurse");
  if (recurse == "true") {
    q.recurse = true;
  } else if (!recurse.empty() && recurse != "false") {
    return InvalidParam("recurse must be true or false");
  }
  return q;
}

// Children of `parent` (and, recursing, their children), of every rel_type,
// in stream order of the query's direction.
absl::StatusOr<std::vector<Relation>> Collect(const RoomsContext& context,
                                              storage::RoomNid room,
                                              const std::string& parent,
                                              std::string_view rel_type,
                                              const Query& q) {
  auto direction =
      q.backward ? storage::Direction::kBackward : storage::Direction::kForward;
  if (!q.recurse) {
    return context.relations->Children(room, parent, rel_type, q.from,
                                       direction, kMaxScanned);
  }
  // Spec: recurse — the filters apply to every returned event, at any depth.
  std::vector<Relation> all;
  std::vector<std::string> level{parent};
  for (int depth = 0; depth < kMaxRecursion && !level.empty(); ++depth) {
    std::vector<std::string> next;
    for (const std::string& id : level) {
      ASSIGN_OR_RETURN(
          auto children,
          context.relations->Children(
              room, id, "", 0, storage::Direction::kForward, kMaxScanned));
      for (Relation& child : children) {
        ASSIGN_OR_RETURN(std::string child_id,
                         context.writer->store().EventId(child.child));
        next.push_back(std::move(child_id));
        bool in_range =
            q.backward ? child.stream < q.from : child.stream > q.from;
        if (in_range && (rel_type.empty() || child.rel_type == rel_type)) {
          all.push_back(std::move(child));
        }
      }
    }
    level = std::move(next);
  }
  std::sort(all.begin(), all.end(), [&](const Relation& a, const Relation& b) {
    return q.backward ? a.stream > b.stream : a.stream < b.stream;
  });
  return all;
}

absl::StatusOr<Response> GetRelations(const RoomsContext* context,
                                      const Request& r) {
  ASSIGN_OR_RETURN(
      storage::RoomInfo room,
      RequireJoined(*context, r.Param("roomId"), r.principal.user_id));
  ASSIGN_OR_RETURN(Query q, ParseQuery(r));
  storage::EventStore& store = context->writer->store();
  std::string parent(r.Param("eventId"));
  absl::StatusOr<storage::EventNid> parent_nid = store.LookupEvent(parent);
  if (!parent_nid.ok()) {
    return absl::IsNotFound(parent_nid.status()) ? NotFound("Event not found")
                                                 : parent_nid.status();
  }
  ASSIGN_OR_RETURN(storage::EventMeta parent_meta, store.Meta(*parent_nid));
  if (parent_meta.room_nid != room.room_nid || parent_meta.stream == 0) {
    return NotFound("Event not found");
  }
  if (context->relations == nullptr) return NotFound("Relations unavailable");
  std::string_view event_type = r.Param("eventType");
  ASSIGN_OR_RETURN(
      std::vector<Relation> children,
      Collect(*context, room.room_nid, parent, r.Param("relType"), q));
  boost::json::array chunk;
  std::optional<StreamPos> last;
  bool more = false;
  for (const Relation& child : children) {
    if (q.to && (q.backward ? child.stream <= *q.to : child.stream >= *q.to))
      break;
    if (chunk.size() == q.limit) {
      more = true;
      break;
    }
    last = child.stream;
    ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(child.child));
    if (!event_type.empty() && meta.type != event_type) continue;
    // A redacted child has lost its m.relates_to: it no longer relates.
    ASSIGN_OR_RETURN(bool redacted,
                     IsRedacted(*context, room.room_nid, meta.event_id));
    if (redacted) continue;
    ASSIGN_OR_RETURN(
        boost::json::object event,
        ServeEvent(*context, room, child.child, r.principal.user_id));
    chunk.push_back(std::move(event));
  }
  boost::json::object body{{"chunk", std::move(chunk)}};
  if (more && last) body["next_batch"] = absl::StrCat("r", *last);
  if (!r.Query("from").empty())
    body["prev_batch"] = std::string(r.Query("from"));
  if (q.recurse) body["recursion_depth"] = kMaxRecursion;
  return Response::Json(boost::json::serialize(body));
}

}  // namespace

absl::Status AddRelationsRoutes(http::RouteTable* table,
                                const RoomsContext* context) {
  for (const char* suffix : {"", "/{relType}", "/{relType}/{eventType}"}) {
    http::Route route;
    route.pattern = absl::StrCat(
        "/_matrix/client/v1/rooms/{roomId}/relations/{eventId}", suffix);
    route.auth = http::Auth::kUser;
    route.handler = [context](const Request& r) {
      return GetRelations(context, r);
    };
    RETURN_IF_ERROR(table->Add(std::move(route)));
  }
  return absl::OkStatus();
}

}  // namespace myelin::rooms
