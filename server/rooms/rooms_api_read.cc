// Reading rooms. Spec: client-server-api, "Getting events for a room":
// GET /joined_rooms, /rooms/{roomId}/event/{eventId}, /state,
// /state/{eventType}/{stateKey}, /members, /joined_members, /messages.
//
// Access: the caller must be joined to the room now. History visibility
// (reading a room one has left, world_readable rooms) comes with /sync.
#include <algorithm>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/filter/room_event_filter.h"
#include "server/rooms/client_event.h"
#include "server/rooms/relations.h"
#include "server/rooms/rooms_api.h"

namespace myelin::rooms {
// Pagination tokens of /messages (defined below).
std::string FormatTopoToken(const storage::TopoToken& token);
absl::StatusOr<storage::TopoToken> ParseTopoToken(std::string_view text);

namespace {

using http::Request;
using http::Response;
using storage::EventNid;
using storage::Membership;
using storage::RoomNid;

constexpr size_t kDefaultMessagesLimit = 10;
constexpr size_t kMaxMessagesLimit = 1000;

Response JsonResponse(const boost::json::object& body) {
  return Response::Json(boost::json::serialize(body));
}

// The room, if the caller is joined to it. Unknown rooms get the same
// answer as rooms the caller is not in, so room ids do not leak.
absl::StatusOr<storage::RoomInfo> JoinedRoom(const RoomsContext& context,
                                             const Request& r) {
  storage::EventStore& store = context.writer->store();
  absl::Status forbidden = Forbidden("You are not a member of this room");
  absl::StatusOr<storage::RoomInfo> room = store.LookupRoom(r.Param("roomId"));
  if (!room.ok()) return absl::IsNotFound(room.status()) ? forbidden : room.status();
  absl::StatusOr<storage::UserNid> user = store.LookupUser(r.principal.user_id);
  if (!user.ok()) return absl::IsNotFound(user.status()) ? forbidden : user.status();
  ASSIGN_OR_RETURN(Membership membership, store.MembershipOf(room->room_nid, *user));
  if (membership != Membership::kJoin) return forbidden;
  return room;
}

// Redactions applied and aggregations bundled (relations.h); `viewer`
// decides the threads' current_user_participated.
absl::StatusOr<boost::json::object> ClientEventOf(const RoomsContext& context,
                                                  const storage::RoomInfo& room,
                                                  EventNid nid,
                                                  std::string_view viewer = {}) {
  return ServeEvent(context, room, nid, viewer);
}

absl::StatusOr<Response> JoinedRooms(const RoomsContext* context, const Request& r) {
  storage::EventStore& store = context->writer->store();
  boost::json::array rooms;
  absl::StatusOr<storage::UserNid> user = store.LookupUser(r.principal.user_id);
  if (user.ok()) {
    ASSIGN_OR_RETURN(auto joined, store.RoomsOfUser(*user, Membership::kJoin));
    for (const storage::UserRoom& room : joined) {
      ASSIGN_OR_RETURN(storage::RoomInfo info, store.GetRoom(room.room_nid));
      rooms.emplace_back(info.room_id);
    }
  } else if (!absl::IsNotFound(user.status())) {
    return user.status();
  }
  return JsonResponse({{"joined_rooms", std::move(rooms)}});
}

absl::StatusOr<Response> GetEvent(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  storage::EventStore& store = context->writer->store();
  absl::StatusOr<EventNid> nid = store.LookupEvent(r.Param("eventId"));
  if (!nid.ok()) {
    return absl::IsNotFound(nid.status()) ? NotFound("Event not found") : nid.status();
  }
  ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(*nid));
  if (meta.room_nid != room.room_nid || meta.rejected || meta.outlier) {
    return NotFound("Event not found");
  }
  ASSIGN_OR_RETURN(boost::json::object event,
                   ClientEventOf(*context, room, *nid, r.principal.user_id));
  return JsonResponse(event);
}

absl::StatusOr<Response> FullState(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  ASSIGN_OR_RETURN(auto state, context->writer->store().CurrentState(room.room_nid));
  boost::json::array events;
  for (const auto& [key, nid] : *state) {
    ASSIGN_OR_RETURN(boost::json::object event, ClientEventOf(*context, room, nid));
    events.push_back(std::move(event));
  }
  return Response::Json(boost::json::serialize(events));
}

absl::StatusOr<Response> StateEvent(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  absl::StatusOr<EventNid> nid = context->writer->store().CurrentStateEvent(
      room.room_nid, r.Param("eventType"), r.Param("stateKey"));
  if (!nid.ok()) {
    return absl::IsNotFound(nid.status()) ? NotFound("Event not found") : nid.status();
  }
  ASSIGN_OR_RETURN(boost::json::object event, ClientEventOf(*context, room, *nid));
  // Spec: format=event returns the whole event, the default its content.
  if (r.Query("format") == "event") return JsonResponse(event);
  return JsonResponse(event["content"].as_object());
}

// The member events of the room's state at stream position `at` (the
// state after the room's last event at or before it).
absl::StatusOr<std::vector<EventNid>> MemberEventsAt(
    const RoomsContext& context, const storage::RoomInfo& room,
    storage::StreamPos at) {
  storage::EventStore& store = context.writer->store();
  ASSIGN_OR_RETURN(storage::TimelinePage page,
                   store.Timeline(room.room_nid, at,
                                  storage::Direction::kBackward, 1));
  if (page.entries.empty()) return std::vector<EventNid>{};
  ASSIGN_OR_RETURN(auto state,
                   store.StateAtEvent(page.entries[0].event_nid, /*after=*/true));
  std::vector<EventNid> members;
  for (const auto& [key, nid] : *state) {
    ASSIGN_OR_RETURN(storage::StateKey state_key, store.GetStateKey(key));
    if (state_key.type == "m.room.member") members.push_back(nid);
  }
  return members;
}

// The stream position of an `at` token: the /messages tokens
// ("t<depth>_<stream>") and stream tokens ("s<stream>...").
absl::StatusOr<storage::StreamPos> StreamOfToken(std::string_view token) {
  if (!token.empty() && token[0] == 't') {
    ASSIGN_OR_RETURN(storage::TopoToken topo, ParseTopoToken(token));
    return topo.stream;
  }
  storage::StreamPos stream = 0;
  size_t end = token.find_first_not_of("0123456789", 1);
  if (token.size() < 2 || token[0] != 's' ||
      !absl::SimpleAtoi(AV(token.substr(1, end == std::string_view::npos
                                                ? std::string_view::npos
                                                : end - 1)),
                        &stream)) {
    return InvalidParam("Invalid at token");
  }
  return stream;
}

// Spec: GET /rooms/{roomId}/members — `at` (state at a point of the
// timeline), `membership` and `not_membership` filters.
absl::StatusOr<Response> Members(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  std::vector<EventNid> events;
  if (!r.Query("at").empty()) {
    ASSIGN_OR_RETURN(storage::StreamPos at, StreamOfToken(r.Query("at")));
    ASSIGN_OR_RETURN(events, MemberEventsAt(*context, room, at));
  } else {
    ASSIGN_OR_RETURN(auto members, context->writer->store().Members(room.room_nid));
    for (const storage::Member& member : members) events.push_back(member.event_nid);
  }
  std::string_view only = r.Query("membership");
  std::string_view except = r.Query("not_membership");
  boost::json::array chunk;
  for (EventNid nid : events) {
    ASSIGN_OR_RETURN(boost::json::object event, ClientEventOf(*context, room, nid));
    const auto* content = event.if_contains("content");
    const boost::json::value* membership =
        content != nullptr && content->is_object()
            ? content->as_object().if_contains("membership")
            : nullptr;
    std::string_view name =
        membership != nullptr && membership->is_string()
            ? std::string_view(membership->as_string())
            : std::string_view();
    if ((!only.empty() && name != only) || (!except.empty() && name == except)) {
      continue;
    }
    chunk.push_back(std::move(event));
  }
  return JsonResponse({{"chunk", std::move(chunk)}});
}

absl::StatusOr<Response> JoinedMembers(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  ASSIGN_OR_RETURN(auto members, context->writer->store().Members(
                                     room.room_nid, Membership::kJoin));
  boost::json::object joined;
  for (const storage::Member& member : members) {
    ASSIGN_OR_RETURN(boost::json::object event,
                     ClientEventOf(*context, room, member.event_nid));
    const boost::json::object& content = event["content"].as_object();
    boost::json::object profile;
    for (const auto& [from, to] : {std::pair{"displayname", "display_name"},
                                   std::pair{"avatar_url", "avatar_url"}}) {
      if (const auto* value = content.if_contains(from);
          value != nullptr && value->is_string()) {
        profile[to] = *value;
      }
    }
    joined[member.user_id] = std::move(profile);
  }
  return JsonResponse({{"joined", std::move(joined)}});
}

}  // namespace

// Pagination tokens of /messages: "t<depth>_<stream>", the gap after the
// event at that topological position (storage::TopoToken).
std::string FormatTopoToken(const storage::TopoToken& token) {
  return absl::StrCat("t", token.depth, "_", token.stream);
}

absl::StatusOr<storage::TopoToken> ParseTopoToken(std::string_view text) {
  std::vector<std::string> parts = absl::StrSplit(AV(text), '_');
  storage::TopoToken token;
  if (parts.size() != 2 || parts[0].size() < 2 || parts[0][0] != 't' ||
      !absl::SimpleAtoi(parts[0].substr(1), &token.depth) ||
      !absl::SimpleAtoi(parts[1], &token.stream)) {
    return InvalidParam("Invalid pagination token");
  }
  return token;
}

absl::StatusOr<Response> Messages(const RoomsContext* context, const Request& r);
absl::StatusOr<Response> Context(const RoomsContext* context, const Request& r);

absl::Status AddReadRoutes(http::RouteTable* table, const RoomsContext* context) {
  struct Spec {
    const char* pattern;
    absl::StatusOr<Response> (*handler)(const RoomsContext*, const Request&);
  };
  const Spec specs[] = {
      {"/joined_rooms", &JoinedRooms},
      {"/rooms/{roomId}/event/{eventId}", &GetEvent},
      {"/rooms/{roomId}/state", &FullState},
      {"/rooms/{roomId}/state/{eventType}/{stateKey}", &StateEvent},
      {"/rooms/{roomId}/state/{eventType}", &StateEvent},
      {"/rooms/{roomId}/members", &Members},
      {"/rooms/{roomId}/joined_members", &JoinedMembers},
      {"/rooms/{roomId}/messages", &Messages},
      {"/rooms/{roomId}/context/{eventId}", &Context},
  };
  for (const Spec& spec : specs) {
    http::Route route;
    route.pattern = spec.pattern;
    route.auth = http::Auth::kUser;
    route.handler = [context, handler = spec.handler](const Request& r) {
      return handler(context, r);
    };
    RETURN_IF_ERROR(table->AddUnder(http::ClientPrefixes(), std::move(route)));
  }
  return absl::OkStatus();
}

namespace {

// Pages of /messages: events of one direction from a token, filtered,
// stopping at `to`, at `limit` matches, or after a bounded scan.
struct MessagesScan {
  boost::json::array chunk;
  storage::TopoToken next;
  bool exhausted = false;  // No more events that way (or `to` reached).
};

// Scanning stops after this many events even when few match the filter, so
// a request costs at most this much; the client continues from `end`.
constexpr size_t kMaxScannedEvents = 2000;

absl::StatusOr<MessagesScan> ScanMessages(
    const RoomsContext& context, const storage::RoomInfo& room,
    storage::TopoToken from, std::optional<storage::TopoToken> to,
    bool backward, size_t limit, const filter::RoomEventFilter& filter,
    std::string_view viewer) {
  MessagesScan scan;
  scan.next = from;
  size_t scanned = 0;
  absl::flat_hash_set<std::string> ignored;
  if (context.ignored_users && !viewer.empty()) {
    ignored = context.ignored_users(viewer);
  }
  auto direction = backward ? storage::Direction::kBackward
                            : storage::Direction::kForward;
  while (scan.chunk.size() < limit && scanned < kMaxScannedEvents) {
    ASSIGN_OR_RETURN(storage::TimelinePage page,
                     context.writer->store().TopologicalTimeline(
                         room.room_nid, scan.next, direction, limit));
    for (const storage::TimelineEntry& entry : page.entries) {
      std::pair<int64_t, uint64_t> here{entry.depth, entry.stream};
      if (to.has_value() &&
          (backward ? here <= std::pair{to->depth, to->stream}
                    : here > std::pair{to->depth, to->stream})) {
        scan.exhausted = true;
        return scan;
      }
      ++scanned;
      // The token just past this event in the direction of travel.
      scan.next = backward ? storage::TopoToken{entry.depth, entry.stream - 1}
                           : storage::TopoToken{entry.depth, entry.stream};
      ASSIGN_OR_RETURN(boost::json::object event,
                       ClientEventOf(context, room, entry.event_nid, viewer));
      const auto* content = event.if_contains("content");
      bool matches = filter.Matches(
          room.room_id, event["type"].as_string(), event["sender"].as_string(),
          content != nullptr && content->is_object() ? content->as_object()
                                                     : boost::json::object());
      // Spec: "Ignoring Users" — state events are still sent.
      if (matches && !ignored.empty() && !event.contains("state_key") &&
          ignored.contains(std::string(event["sender"].as_string()))) {
        matches = false;
      }
      if (matches) scan.chunk.push_back(std::move(event));
      if (scan.chunk.size() == limit) return scan;
    }
    if (page.end) {
      scan.exhausted = true;
      return scan;
    }
    scan.next = page.next_topo;
  }
  return scan;
}

}  // namespace

// Spec: GET /messages `state` — with lazy_load_members, the member events
// of the chunk's senders, as of the first event of the chunk.
absl::StatusOr<boost::json::array> LazyMembers(
    const RoomsContext& context, const storage::RoomInfo& room,
    const boost::json::array& chunk, const filter::RoomEventFilter& filter) {
  boost::json::array state;
  if (!filter.lazy_load_members || chunk.empty()) return state;
  storage::EventStore& store = context.writer->store();
  ASSIGN_OR_RETURN(EventNid first, store.LookupEvent(
                                       chunk[0].at("event_id").as_string()));
  ASSIGN_OR_RETURN(auto members, store.StateAtEvent(first, /*after=*/true));
  std::vector<std::string> senders;
  for (const boost::json::value& event : chunk) {
    std::string sender(event.at("sender").as_string());
    if (std::find(senders.begin(), senders.end(), sender) != senders.end()) {
      continue;
    }
    senders.push_back(sender);
    absl::StatusOr<storage::StateKeyNid> key =
        store.LookupStateKey("m.room.member", sender);
    if (!key.ok()) continue;
    auto it = members->find(*key);
    if (it == members->end()) continue;
    ASSIGN_OR_RETURN(boost::json::object member,
                     ClientEventOf(context, room, it->second));
    state.push_back(std::move(member));
  }
  return state;
}

// A /messages token: its own "t<depth>_<stream>", or a /sync token or
// timeline prev_batch ("s<stream>...", Spec: GET /messages `from`), which
// stands for the gap after the room's last event at or before that stream
// position.
absl::StatusOr<storage::TopoToken> ParseMessagesToken(
    const RoomsContext& context, const storage::RoomInfo& room,
    std::string_view text) {
  if (text.empty() || text[0] != 's') return ParseTopoToken(text);
  ASSIGN_OR_RETURN(storage::StreamPos stream, StreamOfToken(text));
  storage::EventStore& store = context.writer->store();
  ASSIGN_OR_RETURN(storage::TimelinePage page,
                   store.Timeline(room.room_nid, stream,
                                  storage::Direction::kBackward, 1));
  if (page.entries.empty()) {
    return storage::TopoToken{std::numeric_limits<int64_t>::min(), 0};
  }
  ASSIGN_OR_RETURN(storage::EventMeta meta,
                   store.Meta(page.entries[0].event_nid));
  return storage::TopoToken{meta.depth, page.entries[0].stream};
}

// Spec: client-server-api, GET /rooms/{roomId}/messages — `dir`, `from`,
// `to`, `limit` and a RoomEventFilter in `filter`.
absl::StatusOr<Response> Messages(const RoomsContext* context, const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  std::string_view dir = r.Query("dir");
  if (dir.empty()) dir = "b";
  if (dir != "b" && dir != "f") return InvalidParam("dir must be b or f");
  bool backward = dir == "b";
  size_t limit = kDefaultMessagesLimit;
  if (r.HasQuery("limit") &&
      (!absl::SimpleAtoi(AV(r.Query("limit")), &limit) || limit == 0)) {
    return InvalidParam("limit must be a positive integer");
  }
  filter::RoomEventFilter filter;
  if (!r.Query("filter").empty()) {
    ASSIGN_OR_RETURN(filter, filter::ParseRoomEventFilterText(r.Query("filter")));
    if (filter.limit.has_value()) {
      limit = std::min(limit, static_cast<size_t>(*filter.limit));
    }
  }
  limit = std::min(limit, kMaxMessagesLimit);
  storage::TopoToken from =
      backward ? storage::TopoToken{std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<uint64_t>::max()}
               : storage::TopoToken{std::numeric_limits<int64_t>::min(), 0};
  // An empty `from` means "from the end/start", as Synapse reads it: clients
  // without a sync token (matrix-nio's room_messages) send `from=`.
  if (!r.Query("from").empty()) {
    ASSIGN_OR_RETURN(from, ParseMessagesToken(*context, room, r.Query("from")));
  }
  std::optional<storage::TopoToken> to;
  if (r.HasQuery("to")) {
    ASSIGN_OR_RETURN(to, ParseMessagesToken(*context, room, r.Query("to")));
  }
  ASSIGN_OR_RETURN(MessagesScan scan,
                   ScanMessages(*context, room, from, to, backward, limit,
                                filter, r.principal.user_id));
  ASSIGN_OR_RETURN(boost::json::array state,
                   LazyMembers(*context, room, scan.chunk, filter));
  boost::json::object body{{"chunk", std::move(scan.chunk)},
                           {"start", FormatTopoToken(from)}};
  if (!state.empty()) body["state"] = std::move(state);
  // Spec: no `end` when there are no more events in that direction.
  if (!scan.exhausted) body["end"] = FormatTopoToken(scan.next);
  return JsonResponse(body);
}

}  // namespace myelin::rooms

namespace myelin::rooms {
namespace {

// Up to `limit` events on one side of `around`, as client events.
absl::StatusOr<std::pair<boost::json::array, storage::TopoToken>> Around(
    const RoomsContext& context, const storage::RoomInfo& room,
    storage::TopoToken around, storage::Direction direction, size_t limit,
    std::string_view viewer, std::vector<EventNid>* nids) {
  boost::json::array events;
  if (limit == 0) return std::make_pair(std::move(events), around);
  ASSIGN_OR_RETURN(storage::TimelinePage page,
                   context.writer->store().TopologicalTimeline(
                       room.room_nid, around, direction, limit));
  for (const storage::TimelineEntry& entry : page.entries) {
    ASSIGN_OR_RETURN(boost::json::object event,
                     ClientEventOf(context, room, entry.event_nid, viewer));
    events.push_back(std::move(event));
    nids->push_back(entry.event_nid);
  }
  return std::make_pair(std::move(events), page.next_topo);
}

}  // namespace

// Spec: client-server-api, GET /rooms/{roomId}/context/{eventId}: `limit`
// events split before and after the event, pagination tokens for both
// sides, and the room state at the last event returned.
absl::StatusOr<Response> Context(const RoomsContext* context,
                                 const Request& r) {
  ASSIGN_OR_RETURN(storage::RoomInfo room, JoinedRoom(*context, r));
  storage::EventStore& store = context->writer->store();
  absl::StatusOr<EventNid> nid = store.LookupEvent(r.Param("eventId"));
  if (!nid.ok()) {
    return absl::IsNotFound(nid.status()) ? NotFound("Event not found") : nid.status();
  }
  ASSIGN_OR_RETURN(storage::EventMeta meta, store.Meta(*nid));
  if (meta.room_nid != room.room_nid || meta.stream == 0) {
    return NotFound("Event not found");
  }
  size_t limit = kDefaultMessagesLimit;
  if (r.HasQuery("limit") && !absl::SimpleAtoi(AV(r.Query("limit")), &limit)) {
    return InvalidParam("limit must be a non-negative integer");
  }
  limit = std::min(limit, kMaxMessagesLimit);
  storage::TopoToken at{meta.depth, meta.stream};
  // The token after the event; paging back from it starts with the event.
  storage::TopoToken before_event{meta.depth, meta.stream - 1};
  std::vector<EventNid> returned{*nid};
  ASSIGN_OR_RETURN(auto before, Around(*context, room, before_event,
                                       storage::Direction::kBackward,
                                       limit / 2, r.principal.user_id,
                                       &returned));
  ASSIGN_OR_RETURN(auto after, Around(*context, room, at,
                                      storage::Direction::kForward,
                                      limit - limit / 2, r.principal.user_id,
                                      &returned));
  ASSIGN_OR_RETURN(boost::json::object event,
                   ClientEventOf(*context, room, *nid, r.principal.user_id));
  EventNid last = after.first.empty() ? *nid : returned.back();
  ASSIGN_OR_RETURN(auto state, store.StateAtEvent(last, /*after=*/true));
  boost::json::array state_events;
  for (const auto& [key, state_nid] : *state) {
    ASSIGN_OR_RETURN(boost::json::object e, ClientEventOf(*context, room, state_nid));
    state_events.push_back(std::move(e));
  }
  boost::json::object body{{"event", std::move(event)},
                           {"events_before", std::move(before.first)},
                           {"events_after", std::move(after.first)},
                           {"start", FormatTopoToken(before.second)},
                           {"end", FormatTopoToken(after.second)},
                           {"state", std::move(state_events)}};
  return JsonResponse(body);
}

}  // namespace myelin::rooms
