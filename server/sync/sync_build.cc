// ComputeSync: the token, the stream sections (account data, presence,
// to-device) and the choice of rooms. Spec: client-server-api, "Syncing".
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "boost/json/parse.hpp"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"
#include "server/sync/device_lists.h"
#include "server/sync/sync_builder.h"

namespace myelin::sync {

namespace {

using storage::Membership;

// Events of the server-wide stream read to find the rooms that changed
// since a token; a token further behind than this visits every room of the
// user instead.
constexpr size_t kMaxStreamScan = 5000;
constexpr size_t kMaxAccountDataChanges = 10'000;
// To-device messages per response; the rest come with the next request.
constexpr size_t kToDeviceLimit = 100;

boost::json::object EventJson(std::string_view type,
                              boost::json::object content) {
  return {{"type", type}, {"content", std::move(content)}};
}

}  // namespace

absl::StatusOr<SyncResult> ComputeSync(const SyncSources& sources,
                                       const SyncRequest& request) {
  return SyncBuilder(sources, request).Build();
}

SyncBuilder::SyncBuilder(const SyncSources& sources, const SyncRequest& request)
    : src_(sources),
      req_(request),
      events_(*sources.events),
      initial_(!request.since.has_value()),
      since_(request.since.value_or(SyncToken{})) {}

void SyncBuilder::CaptureNow() {
  now_.events = events_.stream().Published();
  now_.account_data = src_.account_data->LatestStream();
  now_.receipts = src_.receipts->LatestStream();
  now_.typing = src_.typing->Position();
  now_.presence = src_.presence->Position();
  now_.to_device = since_.to_device;
  now_.device_lists =
      src_.keys != nullptr ? src_.keys->DeviceListStream() : since_.device_lists;
  // In-memory streams restart with the process: a token ahead of them was
  // handed out before a restart, so everything current is new to it.
  if (since_.typing > now_.typing) since_.typing = 0;
  if (since_.presence > now_.presence) since_.presence = 0;
}

absl::StatusOr<SyncResult> SyncBuilder::Build() {
  CaptureNow();
  absl::StatusOr<storage::UserNid> user = events_.LookupUser(req_.user_id);
  if (user.ok()) {
    user_nid_ = *user;
  } else if (!absl::IsNotFound(user.status())) {
    return user.status();
  }
  RETURN_IF_ERROR(LoadAccountData());
  if (user_nid_ != 0) {
    ASSIGN_OR_RETURN(std::vector<RoomCandidate> rooms, CandidateRooms());
    for (const RoomCandidate& room : rooms) RETURN_IF_ERROR(AddRoom(room));
  }
  RETURN_IF_ERROR(AddPresence());
  RETURN_IF_ERROR(AddToDevice());

  SyncResult result;
  boost::json::object& body = result.body;
  RETURN_IF_ERROR(AddDeviceKeys(body));
  result.next = now_;
  result.empty = join_.empty() && invite_.empty() && knock_.empty() &&
                 leave_.empty() && account_data_.empty() &&
                 presence_.empty() && to_device_.empty() &&
                 body.at("device_lists").at("changed").as_array().empty() &&
                 body.at("device_lists").at("left").as_array().empty();
  body["next_batch"] = FormatSyncToken(now_);
  body["rooms"] = boost::json::object{{"join", std::move(join_)},
                                      {"invite", std::move(invite_)},
                                      {"knock", std::move(knock_)},
                                      {"leave", std::move(leave_)}};
  body["account_data"] = {{"events", std::move(account_data_)}};
  body["presence"] = {{"events", std::move(presence_)}};
  body["to_device"] = {{"events", std::move(to_device_)}};
  return result;
}

// Spec: client-server-api, "Extensions to /sync" (end-to-end encryption).
// device_lists only for incremental syncs, as the spec allows: after an
// initial sync a client queries the keys it needs.
absl::Status SyncBuilder::AddDeviceKeys(boost::json::object& body) {
  boost::json::array changed, left;
  if (!initial_ && src_.keys != nullptr) {
    DeviceListRange range{since_.events, now_.events, since_.device_lists,
                          now_.device_lists,
                          new_events_.has_value() ? &*new_events_ : nullptr};
    ASSIGN_OR_RETURN(DeviceListDelta delta,
                     DeviceListChanges(events_, *src_.keys, req_.user_id, range));
    for (const std::string& user : delta.changed) changed.emplace_back(user);
    for (const std::string& user : delta.left) left.emplace_back(user);
  }
  body["device_lists"] = {{"changed", std::move(changed)},
                          {"left", std::move(left)}};
  // signed_curve25519 is always listed (as Synapse does): some clients
  // upload one-time keys only when they see its count.
  boost::json::object counts{{"signed_curve25519", 0}};
  boost::json::array unused_fallbacks;
  if (src_.keys != nullptr && !req_.device_id.empty()) {
    ASSIGN_OR_RETURN(storage::KeyStore::KeyCounts held,
                     src_.keys->OneTimeKeyCounts(req_.user_id, req_.device_id));
    for (const auto& [algorithm, count] : held) counts[algorithm] = count;
    ASSIGN_OR_RETURN(std::vector<std::string> unused,
                     src_.keys->UnusedFallbackKeyTypes(req_.user_id,
                                                       req_.device_id));
    for (const std::string& algorithm : unused) {
      unused_fallbacks.emplace_back(algorithm);
    }
  }
  body["device_one_time_keys_count"] = std::move(counts);
  body["device_unused_fallback_key_types"] = std::move(unused_fallbacks);
  return absl::OkStatus();
}

// Global account data goes into the response; room account data is kept
// for the room sections; m.ignored_user_list is read whether it changed or
// not (it filters every section).
absl::Status SyncBuilder::LoadAccountData() {
  ASSIGN_OR_RETURN(ignored_, src_.account_data->IgnoredUsers(req_.user_id));
  ASSIGN_OR_RETURN(std::vector<storage::AccountDataStore::Change> changes,
                   src_.account_data->ChangesSince(
                       req_.user_id, since_.account_data,
                       kMaxAccountDataChanges));
  const filter::Filter& filter = req_.filter;
  for (const storage::AccountDataStore::Change& change : changes) {
    if (change.stream > now_.account_data) break;  // Next time.
    if (change.room_id.empty()
            ? !filter.account_data.Matches("", change.type, "", {})
            : !filter.room.account_data.Matches(change.room_id, change.type,
                                                "", {})) {
      continue;
    }
    ASSIGN_OR_RETURN(std::optional<boost::json::object> content,
                     src_.account_data->Get(req_.user_id, change.room_id,
                                            change.type));
    if (!content.has_value()) continue;
    boost::json::object event = EventJson(change.type, std::move(*content));
    if (change.room_id.empty()) {
      account_data_.push_back(std::move(event));
    } else {
      room_account_data_[change.room_id].push_back(std::move(event));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<RoomCandidate>> SyncBuilder::CandidateFor(
    storage::RoomNid room) {
  ASSIGN_OR_RETURN(storage::RoomInfo info, events_.GetRoom(room));
  absl::StatusOr<storage::EventNid> member =
      events_.CurrentStateEvent(room, "m.room.member", req_.user_id);
  if (absl::IsNotFound(member.status())) return std::nullopt;
  RETURN_IF_ERROR(member.status());
  ASSIGN_OR_RETURN(storage::EventMeta meta, events_.Meta(*member));
  // A membership newer than this response's position is the next one's.
  if (meta.stream > now_.events) return std::nullopt;
  return RoomCandidate{std::move(info), meta.membership, *member, meta.stream};
}

absl::StatusOr<std::vector<RoomCandidate>> SyncBuilder::AllRooms() {
  ASSIGN_OR_RETURN(std::vector<storage::UserRoom> rooms,
                   events_.RoomsOfUser(user_nid_));
  std::vector<RoomCandidate> candidates;
  candidates.reserve(rooms.size());
  for (const storage::UserRoom& room : rooms) {
    ASSIGN_OR_RETURN(storage::EventMeta meta, events_.Meta(room.event_nid));
    if (meta.stream > now_.events) continue;
    ASSIGN_OR_RETURN(storage::RoomInfo info, events_.GetRoom(room.room_nid));
    candidates.push_back(
        {std::move(info), room.membership, room.event_nid, meta.stream});
  }
  return candidates;
}

absl::StatusOr<std::vector<RoomCandidate>> SyncBuilder::CandidateRooms() {
  for (std::string& room : src_.typing->RoomsChangedSince(since_.typing)) {
    typing_rooms_.insert(std::move(room));
  }
  if (src_.receipt_rooms != nullptr) {
    std::optional<std::vector<std::string>> rooms =
        src_.receipt_rooms->ChangedSince(since_.receipts);
    if (rooms.has_value()) receipt_rooms_.emplace(rooms->begin(), rooms->end());
  }
  if (initial_ || req_.full_state) return AllRooms();

  ASSIGN_OR_RETURN(std::vector<storage::StreamEntry> new_events,
                   events_.EventsSince(since_.events, now_.events,
                                       kMaxStreamScan));
  if (new_events.size() == kMaxStreamScan || !receipt_rooms_.has_value()) {
    return AllRooms();
  }
  new_events_ = new_events;
  absl::flat_hash_set<storage::RoomNid> changed;
  for (const storage::StreamEntry& entry : new_events) {
    changed.insert(entry.room_nid);
  }
  auto add_by_id = [&](std::string_view room_id) -> absl::Status {
    absl::StatusOr<storage::RoomInfo> room = events_.LookupRoom(room_id);
    if (absl::IsNotFound(room.status())) return absl::OkStatus();
    RETURN_IF_ERROR(room.status());
    changed.insert(room->room_nid);
    return absl::OkStatus();
  };
  for (const std::string& room : typing_rooms_) RETURN_IF_ERROR(add_by_id(room));
  for (const std::string& room : *receipt_rooms_) {
    RETURN_IF_ERROR(add_by_id(room));
  }
  for (const auto& [room, unused] : room_account_data_) {
    RETURN_IF_ERROR(add_by_id(room));
  }
  std::vector<RoomCandidate> candidates;
  for (storage::RoomNid room : changed) {
    ASSIGN_OR_RETURN(std::optional<RoomCandidate> candidate, CandidateFor(room));
    if (candidate.has_value()) candidates.push_back(std::move(*candidate));
  }
  return candidates;
}

absl::StatusOr<bool> SyncBuilder::SharesRoomWith(std::string_view other) {
  if (other == req_.user_id) return true;
  if (user_nid_ == 0) return false;
  if (!my_joined_rooms_.has_value()) {
    ASSIGN_OR_RETURN(std::vector<storage::UserRoom> mine,
                     events_.RoomsOfUser(user_nid_, Membership::kJoin));
    my_joined_rooms_.emplace();
    for (const storage::UserRoom& room : mine) {
      my_joined_rooms_->insert(room.room_nid);
    }
  }
  absl::StatusOr<storage::UserNid> other_nid = events_.LookupUser(other);
  if (absl::IsNotFound(other_nid.status())) return false;
  RETURN_IF_ERROR(other_nid.status());
  ASSIGN_OR_RETURN(std::vector<storage::UserRoom> theirs,
                   events_.RoomsOfUser(*other_nid, Membership::kJoin));
  return std::any_of(theirs.begin(), theirs.end(),
                     [&](const storage::UserRoom& room) {
                       return my_joined_rooms_->contains(room.room_nid);
                     });
}

// Spec: client-server-api, "Presence" — the presence of users who share a
// room with the requester (and their own).
absl::Status SyncBuilder::AddPresence() {
  if (!src_.presence->enabled()) return absl::OkStatus();
  for (auto& [user, view] : src_.presence->ChangedSince(since_.presence)) {
    if (IsIgnored(user) ||
        !req_.filter.presence.Matches("", "m.presence", user, {})) {
      continue;
    }
    ASSIGN_OR_RETURN(bool visible, SharesRoomWith(user));
    if (!visible) continue;
    boost::json::object content{{"presence", PresenceStateName(view.state)},
                                {"currently_active", view.currently_active}};
    if (view.last_active_ago_millis.has_value()) {
      content["last_active_ago"] = *view.last_active_ago_millis;
    }
    if (view.status_msg.has_value()) content["status_msg"] = *view.status_msg;
    boost::json::object event = EventJson("m.presence", std::move(content));
    event["sender"] = user;
    presence_.push_back(std::move(event));
  }
  return absl::OkStatus();
}

// Spec: client-server-api, "Send-to-Device messaging" — messages up to the
// token's position were received (the client came back with it), so they
// are deleted; the ones after it are delivered.
absl::Status SyncBuilder::AddToDevice() {
  if (req_.device_id.empty()) return absl::OkStatus();
  if (!initial_ && since_.to_device > 0) {
    RETURN_IF_ERROR(src_.inbox->Acknowledge(req_.user_id, req_.device_id,
                                            since_.to_device));
  }
  ASSIGN_OR_RETURN(std::vector<storage::ToDeviceMessage> messages,
                   src_.inbox->Pending(req_.user_id, req_.device_id,
                                       since_.to_device, kToDeviceLimit));
  for (const storage::ToDeviceMessage& message : messages) {
    absl::StatusOr<boost::json::object> event =
        json::ParseJsonObject(message.json);
    if (!event.ok()) {
      return absl::DataLossError(
          absl::StrCat("to-device message ", message.stream, ": ",
                       event.status().message()));
    }
    to_device_.push_back(std::move(*event));
    now_.to_device = message.stream;
  }
  return absl::OkStatus();
}

}  // namespace myelin::sync
