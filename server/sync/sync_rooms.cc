// The room sections of /sync (Spec: client-server-api, GET /sync:
// rooms.join / invite / knock / leave): timelines, state, summaries,
// ephemeral events and room account data.
#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"
#include "server/sync/sync_builder.h"

namespace myelin::sync {

namespace {

using storage::EventMeta;
using storage::EventNid;
using storage::Membership;
using storage::StreamPos;

// Spec leaves the default timeline limit to the server; 10 as Synapse.
constexpr size_t kDefaultTimelineLimit = 10;
constexpr size_t kMaxTimelineLimit = 1000;
// Events looked at per timeline even when a filter drops most of them;
// past it the timeline is `limited` and the client pages with prev_batch.
constexpr size_t kMaxTimelineScan = 2000;
// Spec: m.heroes — up to 5 members when the room has no name.
constexpr size_t kMaxHeroes = 5;
constexpr size_t kMaxReceipts = 100'000;

// Spec: "Stripped state" — the state a user may see before joining.
constexpr std::string_view kStrippedTypes[] = {
    "m.room.create",     "m.room.join_rules", "m.room.name",
    "m.room.avatar",     "m.room.topic",      "m.room.canonical_alias",
    "m.room.encryption",
};

boost::json::object Events(boost::json::array events) {
  return {{"events", std::move(events)}};
}

std::string StringField(const boost::json::object& o, std::string_view key) {
  const auto* value = o.if_contains(key);
  return value != nullptr && value->is_string()
             ? std::string(value->as_string())
             : std::string();
}

size_t TimelineLimit(const filter::RoomEventFilter& f) {
  size_t limit = f.limit.has_value() ? static_cast<size_t>(*f.limit)
                                     : kDefaultTimelineLimit;
  return std::min(limit, kMaxTimelineLimit);
}

}  // namespace

absl::Status SyncBuilder::AddRoom(const RoomCandidate& candidate) {
  if (!req_.filter.room.rooms.has_value() &&
      req_.filter.room.not_rooms.empty()) {
    // The common case: no room filter.
  } else {
    const filter::RoomFilter& f = req_.filter.room;
    const std::string& id = candidate.room.room_id;
    if (std::find(f.not_rooms.begin(), f.not_rooms.end(), id) !=
            f.not_rooms.end() ||
        (f.rooms.has_value() &&
         std::find(f.rooms->begin(), f.rooms->end(), id) == f.rooms->end())) {
      return absl::OkStatus();
    }
  }
  bool changed_now = initial_ || candidate.member_stream > since_.events;
  switch (candidate.membership) {
    case Membership::kJoin:
      return AddJoinedRoom(candidate);
    case Membership::kInvite:
    case Membership::kKnock:
      if (!changed_now) return absl::OkStatus();
      return AddStrippedRoom(candidate);
    case Membership::kLeave:
    case Membership::kBan: {
      // Spec: include_leave asks for rooms left before the token too
      // (initial and full_state syncs); a leave since the token is always
      // reported.
      bool wanted = (initial_ || req_.full_state)
                        ? req_.filter.room.include_leave
                        : changed_now;
      if (!wanted) return absl::OkStatus();
      ASSIGN_OR_RETURN(bool forgotten,
                       src_.forgotten->IsForgotten(req_.user_id,
                                                   candidate.room.room_nid,
                                                   candidate.member_event));
      if (forgotten) return absl::OkStatus();
      return AddLeftRoom(candidate);
    }
    case Membership::kNone:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> SyncBuilder::WasJoinedBefore(
    const RoomCandidate& candidate) {
  ASSIGN_OR_RETURN(auto before, events_.StateAtEvent(candidate.member_event));
  absl::StatusOr<storage::StateKeyNid> key =
      events_.LookupStateKey("m.room.member", req_.user_id);
  if (absl::IsNotFound(key.status())) return false;
  RETURN_IF_ERROR(key.status());
  auto it = before->find(*key);
  if (it == before->end()) return false;
  ASSIGN_OR_RETURN(EventMeta previous, events_.Meta(it->second));
  return previous.membership == Membership::kJoin;
}

// Spec: client-server-api, "History visibility" — members of a room whose
// history is "joined" (or "invited") do not see events from before they
// joined. Judged by the current setting, a simplification of the per-event
// rule.
absl::StatusOr<StreamPos> SyncBuilder::VisibleAfter(
    const RoomCandidate& candidate) {
  absl::StatusOr<EventNid> setting = events_.CurrentStateEvent(
      candidate.room.room_nid, "m.room.history_visibility", "");
  if (absl::IsNotFound(setting.status())) return 0;
  RETURN_IF_ERROR(setting.status());
  ASSIGN_OR_RETURN(std::string json, events_.EventJson(*setting));
  ASSIGN_OR_RETURN(boost::json::object event, json::ParseJsonObject(json));
  const auto* content = event.if_contains("content");
  std::string visibility =
      content != nullptr && content->is_object()
          ? StringField(content->as_object(), "history_visibility")
          : std::string();
  if (visibility == "joined" || visibility == "invited") {
    return candidate.member_stream - 1;
  }
  return 0;
}

// The newest events in (after, upto] that pass the timeline filter, at most
// the filter's limit; `limited` when older ones in the window were left out.
absl::StatusOr<TimelineResult> SyncBuilder::ScanTimeline(
    const storage::RoomInfo& room, StreamPos after, StreamPos upto) {
  const filter::RoomEventFilter& f = req_.filter.room.timeline;
  size_t limit = TimelineLimit(f);
  TimelineResult result;
  StreamPos cursor = upto;
  size_t scanned = 0;
  bool unfiltered = !f.types.has_value() && f.not_types.empty() &&
                    !f.senders.has_value() && f.not_senders.empty() &&
                    !f.contains_url.has_value() && ignored_.empty();
  while (cursor > after) {
    ASSIGN_OR_RETURN(storage::TimelinePage page,
                     events_.Timeline(room.room_nid, cursor,
                                      storage::Direction::kBackward,
                                      std::min(limit + 1, kMaxTimelineScan)));
    for (const storage::TimelineEntry& entry : page.entries) {
      if (entry.stream <= after) {
        cursor = after;
        break;
      }
      if (result.events.size() == limit || scanned == kMaxTimelineScan) {
        result.limited = true;
        cursor = after;
        break;
      }
      ++scanned;
      cursor = entry.stream - 1;
      ASSIGN_OR_RETURN(EventMeta meta, events_.Meta(entry.event_nid));
      if (!unfiltered) {
        ASSIGN_OR_RETURN(std::string sender, events_.UserId(meta.sender_nid));
        // Spec: "Ignoring Users" — their state events are still sent.
        if (!meta.state_key.has_value() && IsIgnored(sender)) continue;
        boost::json::object content;
        if (f.contains_url.has_value()) {
          ASSIGN_OR_RETURN(std::string json, events_.EventJson(meta.event_nid));
          ASSIGN_OR_RETURN(boost::json::object event, json::ParseJsonObject(json));
          if (auto* c = event.if_contains("content"); c && c->is_object()) {
            content = std::move(c->as_object());
          }
        }
        if (!f.Matches(room.room_id, meta.type, sender, content)) continue;
      }
      result.events.push_back(std::move(meta));
    }
    if (page.end || page.entries.empty()) break;
  }
  std::reverse(result.events.begin(), result.events.end());
  return result;
}

// The state after the room's last event at or before `pos` (0: none).
absl::StatusOr<storage::SnapshotNid> SyncBuilder::SnapshotAt(
    storage::RoomNid room, StreamPos pos) {
  if (pos == 0) return 0;
  ASSIGN_OR_RETURN(storage::TimelinePage page,
                   events_.Timeline(room, pos, storage::Direction::kBackward, 1));
  if (page.entries.empty()) return 0;
  ASSIGN_OR_RETURN(EventMeta meta, events_.Meta(page.entries[0].event_nid));
  return meta.state_after;
}

absl::StatusOr<boost::json::array> SyncBuilder::StateSection(
    const storage::RoomInfo& room, const TimelineResult& timeline,
    StreamPos since, StreamPos upto, bool full,
    const absl::flat_hash_set<std::string>& needed_members) {
  const filter::RoomEventFilter& f = req_.filter.room.state;
  // Spec: the state up to the start of the timeline, or with
  // use_state_after up to its end.
  storage::SnapshotNid target;
  if (!req_.use_state_after && !timeline.events.empty()) {
    target = timeline.events.front().state_before;
  } else {
    ASSIGN_OR_RETURN(target, SnapshotAt(room.room_nid, upto));
  }
  std::vector<std::pair<storage::StateKeyNid, EventNid>> entries;
  if (full) {
    ASSIGN_OR_RETURN(auto state, events_.Snapshot(target));
    entries.assign(state->begin(), state->end());
  } else {
    ASSIGN_OR_RETURN(storage::SnapshotNid from, SnapshotAt(room.room_nid, since));
    ASSIGN_OR_RETURN(storage::StateDelta delta, events_.DiffStates(from, target));
    for (const auto& [key, nid] : delta) {
      if (nid != 0) entries.emplace_back(key, nid);
    }
    // Lazy loading: the senders' member events even when unchanged, since
    // this server does not remember which ones the client has.
    if (f.lazy_load_members && !needed_members.empty()) {
      ASSIGN_OR_RETURN(auto state, events_.Snapshot(target));
      for (const std::string& user : needed_members) {
        absl::StatusOr<storage::StateKeyNid> key =
            events_.LookupStateKey("m.room.member", user);
        if (!key.ok()) continue;
        auto it = state->find(*key);
        if (it != state->end()) entries.emplace_back(it->first, it->second);
      }
    }
  }
  absl::flat_hash_set<EventNid> in_timeline;
  if (!req_.use_state_after) {
    for (const EventMeta& meta : timeline.events) in_timeline.insert(meta.event_nid);
  }
  std::vector<std::pair<storage::StateKey, EventNid>> chosen;
  absl::flat_hash_set<EventNid> seen;
  for (const auto& [key, nid] : entries) {
    if (in_timeline.contains(nid) || !seen.insert(nid).second) continue;
    ASSIGN_OR_RETURN(storage::StateKey state_key, events_.GetStateKey(key));
    if (state_key.type == "m.room.member" && f.lazy_load_members &&
        !needed_members.contains(state_key.state_key)) {
      continue;
    }
    if (!f.MatchesRoom(room.room_id) ||
        std::any_of(f.not_types.begin(), f.not_types.end(),
                    [&](const std::string& p) {
                      return filter::TypeMatches(p, state_key.type);
                    }) ||
        (f.types.has_value() &&
         std::none_of(f.types->begin(), f.types->end(),
                      [&](const std::string& p) {
                        return filter::TypeMatches(p, state_key.type);
                      }))) {
      continue;
    }
    chosen.emplace_back(std::move(state_key), nid);
  }
  std::sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.type, a.first.state_key) <
           std::tie(b.first.type, b.first.state_key);
  });
  std::vector<EventNid> nids;
  nids.reserve(chosen.size());
  for (const auto& [key, nid] : chosen) nids.push_back(nid);
  ASSIGN_OR_RETURN(std::vector<boost::json::object> served,
                   StateEvents(room, nids));
  bool by_sender = f.senders.has_value() || !f.not_senders.empty() ||
                   f.contains_url.has_value();
  boost::json::array events;
  events.reserve(served.size());
  for (size_t i = 0; i < served.size(); ++i) {
    boost::json::object& event = served[i];
    if (by_sender &&
        !f.Matches(room.room_id, chosen[i].first.type,
                   StringField(event, "sender"),
                   event.contains("content") && event["content"].is_object()
                       ? event["content"].as_object()
                       : boost::json::object())) {
      continue;
    }
    events.push_back(std::move(event));
  }
  return events;
}

// Spec: GET /sync RoomSummary — member counts, and when the room has no
// (non-empty) name or canonical alias, heroes: the first members that are
// joined or invited (else those who left or were banned), never the user.
absl::StatusOr<boost::json::object> SyncBuilder::Summary(
    const storage::RoomInfo& room, std::vector<std::string>* heroes) {
  ASSIGN_OR_RETURN(storage::MemberCounts counts,
                   events_.CountMembers(room.room_nid));
  boost::json::object summary{
      {"m.joined_member_count", counts.Of(Membership::kJoin)},
      {"m.invited_member_count", counts.Of(Membership::kInvite)}};
  ASSIGN_OR_RETURN(bool named, HasName(room));
  if (named) return summary;
  // Heroes by user nid (the order users were first seen in), which stands
  // in for the stream order of their membership: the first few of each
  // membership suffice.
  auto pick = [&](std::initializer_list<Membership> memberships) -> absl::Status {
    std::vector<storage::Member> members;
    for (Membership membership : memberships) {
      ASSIGN_OR_RETURN(std::vector<storage::Member> some,
                       events_.Members(room.room_nid, membership, kMaxHeroes + 1));
      members.insert(members.end(), some.begin(), some.end());
    }
    std::sort(members.begin(), members.end(),
              [](const storage::Member& a, const storage::Member& b) {
                return a.user_nid < b.user_nid;
              });
    for (const storage::Member& member : members) {
      if (heroes->size() == kMaxHeroes) break;
      if (member.user_id != req_.user_id) heroes->push_back(member.user_id);
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(pick({Membership::kJoin, Membership::kInvite}));
  if (heroes->empty()) RETURN_IF_ERROR(pick({Membership::kLeave, Membership::kBan}));
  boost::json::array list;
  for (const std::string& hero : *heroes) list.emplace_back(hero);
  summary["m.heroes"] = std::move(list);
  return summary;
}

// Whether m.room.name or m.room.canonical_alias gives the room a name.
absl::StatusOr<bool> SyncBuilder::HasName(const storage::RoomInfo& room) {
  for (auto [type, field] : {std::pair{"m.room.name", "name"},
                             std::pair{"m.room.canonical_alias", "alias"}}) {
    absl::StatusOr<EventNid> nid =
        events_.CurrentStateEvent(room.room_nid, type, "");
    if (absl::IsNotFound(nid.status())) continue;
    RETURN_IF_ERROR(nid.status());
    ASSIGN_OR_RETURN(std::string json, events_.EventJson(*nid));
    ASSIGN_OR_RETURN(boost::json::object event, json::ParseJsonObject(json));
    const auto* content = event.if_contains("content");
    if (content != nullptr && content->is_object() &&
        !StringField(content->as_object(), field).empty()) {
      return true;
    }
  }
  return false;
}

// m.typing and m.receipt of a joined room (Spec: "Typing Notifications",
// "Receipts"). `full`: everything current, else what changed since the
// token.
absl::StatusOr<boost::json::array> SyncBuilder::Ephemeral(
    const storage::RoomInfo& room, bool full) {
  const filter::RoomEventFilter& f = req_.filter.room.ephemeral;
  boost::json::array events;
  if ((full || typing_rooms_.contains(room.room_id)) &&
      f.Matches(room.room_id, "m.typing", "", {})) {
    TypingTracker::RoomTyping typing = src_.typing->InRoom(room.room_id);
    boost::json::array users;
    for (const std::string& user : typing.user_ids) {
      if (!IsIgnored(user)) users.emplace_back(user);
    }
    if (!full || !users.empty()) {
      events.push_back({{"type", "m.typing"},
                        {"content", {{"user_ids", std::move(users)}}}});
    }
  }
  bool receipts_changed = full || !receipt_rooms_.has_value() ||
                          receipt_rooms_->contains(room.room_id);
  if (receipts_changed && f.Matches(room.room_id, "m.receipt", "", {})) {
    ASSIGN_OR_RETURN(std::vector<storage::Receipt> receipts,
                     src_.receipts->ChangesSince(
                         room.room_id, full ? 0 : since_.receipts, kMaxReceipts));
    boost::json::object content;
    for (const storage::Receipt& receipt : receipts) {
      if (receipt.stream > now_.receipts) break;
      // Spec: m.read.private is seen only by its owner.
      if (receipt.type == "m.read.private" && receipt.user_id != req_.user_id) {
        continue;
      }
      if (IsIgnored(receipt.user_id)) continue;
      boost::json::object data{{"ts", receipt.ts}};
      if (!receipt.thread_id.empty()) data["thread_id"] = receipt.thread_id;
      boost::json::value& by_event = content[receipt.event_id];
      if (!by_event.is_object()) by_event = boost::json::object();
      boost::json::value& by_type = by_event.as_object()[receipt.type];
      if (!by_type.is_object()) by_type = boost::json::object();
      by_type.as_object()[receipt.user_id] = std::move(data);
    }
    if (!content.empty()) {
      events.push_back({{"type", "m.receipt"}, {"content", std::move(content)}});
    }
  }
  return events;
}

boost::json::array SyncBuilder::RoomAccountData(const std::string& room_id) {
  auto it = room_account_data_.find(room_id);
  if (it == room_account_data_.end()) return {};
  return std::move(it->second);
}

absl::Status SyncBuilder::AddJoinedRoom(const RoomCandidate& candidate) {
  const storage::RoomInfo& room = candidate.room;
  bool newly_joined = false;
  if (!initial_ && candidate.member_stream > since_.events) {
    ASSIGN_OR_RETURN(bool was_joined, WasJoinedBefore(candidate));
    newly_joined = !was_joined;
  }
  // A newly joined room is synced like in an initial sync.
  bool full = initial_ || newly_joined || req_.full_state;
  StreamPos after = since_.events;
  if (initial_ || newly_joined) {
    // Member since the token otherwise: everything after it is visible.
    ASSIGN_OR_RETURN(after, VisibleAfter(candidate));
  }
  ASSIGN_OR_RETURN(TimelineResult timeline,
                   ScanTimeline(room, after, now_.events));

  boost::json::array timeline_events;
  absl::flat_hash_set<std::string> needed_members{req_.user_id};
  bool members_changed = full;
  for (const EventMeta& meta : timeline.events) {
    ASSIGN_OR_RETURN(boost::json::object event, ClientEvent(room, meta));
    needed_members.insert(StringField(event, "sender"));
    if (meta.membership != Membership::kNone) members_changed = true;
    timeline_events.push_back(std::move(event));
  }
  boost::json::object section;
  std::vector<std::string> heroes;
  if (members_changed) {
    ASSIGN_OR_RETURN(boost::json::object summary, Summary(room, &heroes));
    section["summary"] = std::move(summary);
    needed_members.insert(heroes.begin(), heroes.end());
  }
  ASSIGN_OR_RETURN(boost::json::array state,
                   StateSection(room, timeline, since_.events, now_.events, full,
                                needed_members));
  ASSIGN_OR_RETURN(boost::json::array ephemeral, Ephemeral(room, full));
  boost::json::array account_data = RoomAccountData(room.room_id);
  if (!full && timeline_events.empty() && state.empty() && ephemeral.empty() &&
      account_data.empty()) {
    return absl::OkStatus();  // Nothing new in this room.
  }
  std::string prev_batch = absl::StrCat(
      "s", timeline.events.empty() ? now_.events
                                   : timeline.events.front().stream - 1);
  section["timeline"] = {{"events", std::move(timeline_events)},
                         {"limited", timeline.limited},
                         {"prev_batch", prev_batch}};
  section[req_.use_state_after ? "state_after" : "state"] =
      Events(std::move(state));
  section["ephemeral"] = Events(std::move(ephemeral));
  section["account_data"] = Events(std::move(account_data));
  // Push rules do not exist yet: nothing is counted, but the shape is the
  // spec's (per thread when the filter asks for it).
  section["unread_notifications"] = {{"highlight_count", 0},
                                     {"notification_count", 0}};
  if (req_.filter.room.timeline.unread_thread_notifications) {
    section["unread_thread_notifications"] = boost::json::object();
  }
  join_[room.room_id] = std::move(section);
  return absl::OkStatus();
}

absl::Status SyncBuilder::AddLeftRoom(const RoomCandidate& candidate) {
  const storage::RoomInfo& room = candidate.room;
  bool full = initial_ || req_.full_state;
  StreamPos after = initial_ ? 0 : since_.events;
  // Someone who never joined (a rejected invite, a withdrawn knock) sees
  // only their own membership event; a former member the room up to their
  // leave (history visibility before their join is not applied here).
  ASSIGN_OR_RETURN(bool was_joined, WasJoinedBefore(candidate));
  StreamPos upto = candidate.member_stream;
  if (!was_joined) after = std::max(after, upto - 1);
  ASSIGN_OR_RETURN(TimelineResult timeline, ScanTimeline(room, after, upto));
  boost::json::array timeline_events;
  absl::flat_hash_set<std::string> needed_members{req_.user_id};
  for (const EventMeta& meta : timeline.events) {
    ASSIGN_OR_RETURN(boost::json::object event, ClientEvent(room, meta));
    needed_members.insert(StringField(event, "sender"));
    timeline_events.push_back(std::move(event));
  }
  boost::json::array state;
  if (was_joined) {
    ASSIGN_OR_RETURN(state, StateSection(room, timeline, since_.events, upto,
                                         full, needed_members));
  }
  std::string prev_batch = absl::StrCat(
      "s", timeline.events.empty() ? upto : timeline.events.front().stream - 1);
  boost::json::object section;
  section["timeline"] = {{"events", std::move(timeline_events)},
                         {"limited", timeline.limited},
                         {"prev_batch", prev_batch}};
  section[req_.use_state_after ? "state_after" : "state"] =
      Events(std::move(state));
  section["account_data"] = Events(RoomAccountData(room.room_id));
  leave_[room.room_id] = std::move(section);
  return absl::OkStatus();
}

// Spec: GET /sync InvitedRoom / KnockedRoom — stripped state of the room
// and the user's own membership event.
absl::Status SyncBuilder::AddStrippedRoom(const RoomCandidate& candidate) {
  const storage::RoomInfo& room = candidate.room;
  ASSIGN_OR_RETURN(EventMeta member, events_.Meta(candidate.member_event));
  ASSIGN_OR_RETURN(std::string sender, events_.UserId(member.sender_nid));
  // Spec: "Ignoring Users" — invites from ignored users are not sent.
  if (candidate.membership == Membership::kInvite && IsIgnored(sender)) {
    return absl::OkStatus();
  }
  std::vector<EventNid> nids;
  for (std::string_view type : kStrippedTypes) {
    absl::StatusOr<EventNid> nid =
        events_.CurrentStateEvent(room.room_nid, type, "");
    if (nid.ok()) nids.push_back(*nid);
  }
  nids.push_back(candidate.member_event);
  ASSIGN_OR_RETURN(std::vector<boost::json::object> served,
                   StateEvents(room, nids));
  boost::json::array stripped;
  for (size_t i = 0; i < nids.size(); ++i) {
    EventNid nid = nids[i];
    boost::json::object& event = served[i];
    boost::json::object entry;
    for (std::string_view key : {"type", "state_key", "sender", "content"}) {
      if (const auto* value = event.if_contains(key)) entry[key] = *value;
    }
    // The user's own membership event is sent whole.
    stripped.push_back(nid == candidate.member_event ? std::move(event)
                                                     : std::move(entry));
  }
  bool invite = candidate.membership == Membership::kInvite;
  boost::json::object section{
      {invite ? "invite_state" : "knock_state", Events(std::move(stripped))}};
  (invite ? invite_ : knock_)[room.room_id] = std::move(section);
  return absl::OkStatus();
}

}  // namespace myelin::sync
