#include "server/rooms/room_writer.h"

#include <sodium.h>

#include <algorithm>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "dag/auth/auth.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"

namespace myelin::rooms {
namespace {

// Spec: server-server-api, PDUs — at most 20 prev_events; fewer keeps
// events small while still merging forks quickly.
constexpr size_t kMaxPrevEvents = 10;
constexpr size_t kPduCacheEntries = 100'000;

std::string RandomLetters(size_t count) {
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back(kLetters[randombytes_uniform(sizeof(kLetters) - 1)]);
  }
  return out;
}

// The auth rules' reason, as the M_FORBIDDEN the client sees.
absl::Status AsForbidden(const absl::Status& status) {
  if (!ErrcodeOf(status).empty() && ErrcodeOf(status) != errcode::kUnknown) {
    return status;
  }
  return Forbidden(SV(status.message()));
}

}  // namespace

struct RoomWriter::Position {
  storage::RoomNid room_nid = 0;
  event::DagPosition dag;
  // Parsed auth events, kept alive for CheckAuth.
  std::vector<std::shared_ptr<const CachedPdu>> auth_pdus;
  AuthState auth_state;
  // Set when the room has forked: the resolved current state becomes the
  // state before the new event.
  std::optional<std::vector<storage::StateEntry>> state_before;
};

std::string NewRoomId(std::string_view server_name) {
  return absl::StrCat("!", RandomLetters(18), ":", AV(server_name));
}

std::string NewEventLocalId() { return RandomLetters(24); }

RoomWriter::RoomWriter(std::string server_name,
                       const federation::SigningKey* key,
                       storage::EventStore* store, const Clock* clock)
    : server_name_(std::move(server_name)),
      key_(key),
      store_(store),
      clock_(clock),
      cache_(kPduCacheEntries) {}

event::Signer RoomWriter::signer() const {
  return event::Signer{server_name_, key_->KeyId(), &key_->key_pair};
}

std::mutex& RoomWriter::LockFor(std::string_view room_id) {
  return room_locks_[absl::HashOf(AV(room_id)) % room_locks_.size()];
}

absl::StatusOr<const RoomVersionRules*> RoomWriter::RulesOf(
    std::string_view room_id) const {
  absl::StatusOr<storage::RoomInfo> room = store_->LookupRoom(room_id);
  if (!room.ok()) {
    if (absl::IsNotFound(room.status())) return NotFound("Unknown room");
    return room.status();
  }
  const RoomVersionRules* rules = FindRoomVersion(room->room_version);
  if (rules == nullptr) {
    return absl::InternalError(
        absl::StrCat("stored room has unknown version ", room->room_version));
  }
  return rules;
}

absl::StatusOr<std::shared_ptr<const CachedPdu>> RoomWriter::Load(
    storage::EventNid nid, const RoomVersionRules& rules) const {
  if (auto cached = cache_.Get(nid)) return cached;
  ASSIGN_OR_RETURN(std::string json, store_->EventJson(nid));
  ASSIGN_OR_RETURN(std::string event_id, store_->EventId(nid));
  ASSIGN_OR_RETURN(boost::json::value value, json::ParseJson(json));
  ASSIGN_OR_RETURN(Pdu pdu, Pdu::Parse(value, rules, event_id));
  auto entry = std::make_shared<CachedPdu>(CachedPdu{std::move(pdu), {}});
  if (const auto* hashes = value.as_object().if_contains("hashes");
      hashes != nullptr && hashes->is_object()) {
    entry->hashes = hashes->as_object();
  }
  cache_.Put(nid, entry);
  return std::shared_ptr<const CachedPdu>(std::move(entry));
}

absl::StatusOr<std::shared_ptr<const CachedPdu>> RoomWriter::CurrentState(
    std::string_view room_id, std::string_view type,
    std::string_view state_key) const {
  ASSIGN_OR_RETURN(const RoomVersionRules* rules, RulesOf(room_id));
  ASSIGN_OR_RETURN(storage::RoomInfo room, store_->LookupRoom(room_id));
  ASSIGN_OR_RETURN(storage::EventNid nid,
                   store_->CurrentStateEvent(room.room_nid, type, state_key));
  return Load(nid, *rules);
}

absl::StatusOr<RoomWriter::Powers> RoomWriter::PowersOf(
    std::string_view room_id, std::string_view user_id) const {
  ASSIGN_OR_RETURN(const RoomVersionRules* rules, RulesOf(room_id));
  AuthState state;
  std::vector<std::shared_ptr<const CachedPdu>> keep_alive;
  for (std::string_view type : {event_type::kCreate, event_type::kPowerLevels}) {
    absl::StatusOr<std::shared_ptr<const CachedPdu>> event =
        CurrentState(room_id, type, "");
    if (absl::IsNotFound(event.status())) continue;
    RETURN_IF_ERROR(event.status());
    state[{std::string(type), ""}] = &(*event)->pdu;
    keep_alive.push_back(*std::move(event));
  }
  Powers powers;
  ASSIGN_OR_RETURN(powers.user_level, UserPowerLevel(user_id, *rules, state));
  auto levels = state.find({std::string(event_type::kPowerLevels), ""});
  if (levels != state.end()) {
    ASSIGN_OR_RETURN(powers.levels,
                     ParsePowerLevels(levels->second->content(), *rules));
  }
  return powers;
}

absl::StatusOr<RoomWriter::Position> RoomWriter::PositionFor(
    storage::RoomNid room, const RoomVersionRules& rules,
    const event::EventDraft& draft) const {
  Position position;
  position.room_nid = room;
  ASSIGN_OR_RETURN(std::vector<storage::EventNid> extremities,
                   store_->ForwardExtremities(room));
  std::vector<std::pair<int64_t, storage::EventNid>> by_depth;
  for (storage::EventNid nid : extremities) {
    ASSIGN_OR_RETURN(storage::EventMeta meta, store_->Meta(nid));
    by_depth.emplace_back(meta.depth, nid);
  }
  std::sort(by_depth.rbegin(), by_depth.rend());
  if (by_depth.size() > kMaxPrevEvents) by_depth.resize(kMaxPrevEvents);
  int64_t max_depth = 0;
  for (const auto& [depth, nid] : by_depth) {
    ASSIGN_OR_RETURN(auto prev, Load(nid, rules));
    position.dag.prev_events.push_back({prev->pdu.event_id(), prev->hashes});
    max_depth = std::max(max_depth, depth);
  }
  // Spec: depth is one more than the deepest prev event, capped (PDU limits).
  position.dag.depth = std::min<int64_t>(max_depth + 1, (int64_t{1} << 53) - 1);
  if (extremities.size() > 1) {
    ASSIGN_OR_RETURN(auto state, store_->CurrentState(room));
    ASSIGN_OR_RETURN(position.state_before, store_->ToEntries(*state));
  }
  std::vector<StateKey> selection = AuthEventsSelection(
      draft.type, draft.sender, draft.state_key, draft.content, rules);
  StateKey create_key{std::string(event_type::kCreate), ""};
  if (rules.room_id_is_create_event_id) {
    // Spec: rooms/v12 — the create event is never listed in auth_events,
    // yet the auth rules read it: it joins the auth state only.
    selection.push_back(create_key);
  }
  for (const StateKey& key : selection) {
    absl::StatusOr<storage::EventNid> nid =
        store_->CurrentStateEvent(room, key.first, key.second);
    if (absl::IsNotFound(nid.status())) continue;
    RETURN_IF_ERROR(nid.status());
    if (position.auth_state.contains(key)) continue;
    ASSIGN_OR_RETURN(auto auth, Load(*nid, rules));
    position.auth_state[key] = &auth->pdu;
    if (!(rules.room_id_is_create_event_id && key == create_key)) {
      position.dag.auth_events.push_back(
          {auth->pdu.event_id(), auth->hashes});
    }
    position.auth_pdus.push_back(std::move(auth));
  }
  return position;
}

absl::StatusOr<SentEvent> RoomWriter::BuildAuthorisePersist(
    const RoomVersionRules& rules, const event::EventDraft& draft,
    const Position& position, bool new_room,
    const std::optional<storage::ClientTxn>& txn,
    std::optional<int64_t> origin_server_ts) {
  std::string local_id = rules.event_id_in_event ? NewEventLocalId() : "";
  ASSIGN_OR_RETURN(
      event::BuiltEvent built,
      event::BuildEvent(rules, draft, position.dag,
                        origin_server_ts.value_or(clock_->NowMillis()),
                        signer(), local_id));
  ASSIGN_OR_RETURN(Pdu pdu, Pdu::Parse(built.json, rules, built.event_id));
  if (absl::Status allowed = CheckAuth(pdu, rules, position.auth_state);
      !allowed.ok()) {
    return AsForbidden(allowed);
  }
  storage::PersistRequest request;
  request.room_id = built.room_id;
  request.pdu = &pdu;
  request.event_json = built.canonical;
  if (new_room) request.room_version = &rules;
  request.state_before = position.state_before;
  request.txn = txn;
  ASSIGN_OR_RETURN(storage::PersistedEvent persisted, store_->Persist(request));
  return SentEvent{built.event_id, built.room_id, persisted.stream};
}

absl::StatusOr<SentEvent> RoomWriter::CreateRoom(
    const RoomVersionRules& rules, std::string_view creator,
    boost::json::object create_content) {
  event::EventDraft draft;
  draft.type = std::string(event_type::kCreate);
  draft.state_key = "";
  draft.sender = std::string(creator);
  draft.content = std::move(create_content);
  draft.content["room_version"] = std::string(rules.id);
  if (rules.require_create_creator) draft.content["creator"] = draft.sender;
  if (!rules.room_id_is_create_event_id) {
    draft.room_id = NewRoomId(server_name_);
    // The room is new: no other writer can know its id yet.
    return BuildAuthorisePersist(rules, draft, Position{}, /*new_room=*/true);
  }
  // Spec: rooms/v12 — the room id is the create event's reference hash, so
  // the same creator sending the same content within one millisecond would
  // name an existing room. Creates are serialised, and a taken id is
  // avoided by moving the timestamp on.
  std::lock_guard<std::mutex> lock(create_mu_);
  int64_t ts = clock_->NowMillis();
  constexpr int kMaxAttempts = 1000;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt, ++ts) {
    ASSIGN_OR_RETURN(event::BuiltEvent built,
                     event::BuildEvent(rules, draft, {}, ts, signer(), ""));
    absl::StatusOr<storage::RoomInfo> existing = store_->LookupRoom(built.room_id);
    if (existing.ok()) continue;
    if (!absl::IsNotFound(existing.status())) return existing.status();
    return BuildAuthorisePersist(rules, draft, Position{}, /*new_room=*/true,
                                 std::nullopt, ts);
  }
  return absl::InternalError("no free room id for a new room");
}

absl::StatusOr<SentEvent> RoomWriter::Send(
    const event::EventDraft& draft,
    const std::optional<storage::ClientTxn>& txn) {
  ASSIGN_OR_RETURN(const RoomVersionRules* rules, RulesOf(draft.room_id));
  std::lock_guard<std::mutex> lock(LockFor(draft.room_id));
  ASSIGN_OR_RETURN(storage::RoomInfo room, store_->LookupRoom(draft.room_id));
  ASSIGN_OR_RETURN(Position position, PositionFor(room.room_nid, *rules, draft));
  return BuildAuthorisePersist(*rules, draft, position, /*new_room=*/false, txn);
}

}  // namespace myelin::rooms
