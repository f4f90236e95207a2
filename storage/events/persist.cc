// EventStore::Persist: one event and everything derived from it, staged
// into one WriteBatch and committed at once (event_store.h).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/events/event_codec.h"
#include "storage/events/event_store_impl.h"
#include "storage/keys/event_keys.h"
#include "storage/relations/relation_store.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

using keys::IdKey;
using keys::StateKeyKey;

class PersistOp {
 public:
  PersistOp(EventStore::Impl& impl, const PersistRequest& request)
      : impl_(impl), req_(request), pdu_(*request.pdu) {}
  // Anything not committed is abandoned: claims released as failed, the
  // stream position finished so later positions can publish.
  ~PersistOp() {
    if (stream_ != 0) impl_.stream.Finish(stream_);
  }

  absl::StatusOr<PersistedEvent> Run();

 private:
  absl::StatusOr<std::optional<EventMeta>> Existing();
  absl::Status PromoteOutlier(EventMeta existing);
  absl::Status AssignIds();
  absl::Status ComputeState();
  absl::StatusOr<SnapshotNid> StateFromPrevEvents();
  absl::StatusOr<SnapshotNid> StageEntries(
      const std::vector<StateEntry>& entries, SnapshotNid parent);
  absl::Status StageDag();
  absl::Status StageCurrentState();
  absl::Status StageStateChange(StateKeyNid key, EventNid new_event);
  absl::Status StageMembership(std::string_view user_id, EventNid old_event,
                               EventNid new_event);
  absl::Status StageTimeline();
  absl::Status Put(Cf cf, std::string_view key, std::string_view value) {
    return FromRocks(batch_.Put(impl_.engine.cf(cf), key, value), "stage");
  }
  absl::Status Delete(Cf cf, std::string_view key) {
    return FromRocks(batch_.Delete(impl_.engine.cf(cf), key), "stage");
  }
  bool InTimeline() const { return !req_.outlier && !req_.rejected; }

  EventStore::Impl& impl_;
  const PersistRequest& req_;
  const Pdu& pdu_;
  rocksdb::WriteBatch batch_;
  NidClaims claims_;
  SnapshotTxn snapshot_txn_;
  StreamPos stream_ = 0;
  EventMeta meta_;
  // What StageDag changes in the room's forward extremities; applied to
  // the in-memory mirror once the batch has committed.
  std::vector<EventNid> removed_extremities_;
  EventNid added_extremity_ = 0;
  // What StageMembership changes in the room's member counts: (old, new).
  std::vector<std::pair<Membership, Membership>> membership_changes_;
};

absl::Status Validate(const PersistRequest& req) {
  if (req.pdu == nullptr || req.event_json.empty() || req.room_id.empty()) {
    return absl::InvalidArgumentError(
        "persist: room_id, pdu and event_json are required");
  }
  if (req.pdu->event_id().empty()) {
    return absl::InvalidArgumentError("persist: event without event_id");
  }
  const auto& room_id = req.pdu->room_id();
  if (room_id && *room_id != req.room_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("persist: event of room ", AV(*room_id), " given for ",
                     AV(req.room_id)));
  }
  return absl::OkStatus();
}

absl::StatusOr<PersistedEvent> PersistOp::Run() {
  ASSIGN_OR_RETURN(std::optional<EventMeta> existing, Existing());
  if (existing && (!existing->outlier || req_.outlier)) {
    return PersistedEvent{existing->event_nid,    existing->room_nid,
                          existing->stream,       existing->state_before,
                          existing->state_after, true};
  }
  if (existing) {
    RETURN_IF_ERROR(PromoteOutlier(*std::move(existing)));
  } else {
    RETURN_IF_ERROR(AssignIds());
    RETURN_IF_ERROR(Put(Cf::kEventnidEventjson,
                        keys::NidKey::Encode(meta_.event_nid),
                        req_.event_json));
    if (req_.txn.has_value()) {
      const ClientTxn& txn = *req_.txn;
      RETURN_IF_ERROR(Put(Cf::kTxnidEventid,
                          keys::TxnKey::Encode(txn.user_id, txn.device_id,
                                               txn.txn_id),
                          meta_.event_id));
      RETURN_IF_ERROR(Put(Cf::kEventnidTxnid,
                          keys::NidKey::Encode(meta_.event_nid),
                          keys::TxnValue::Encode(txn.device_id, txn.txn_id)));
    }
  }
  if (!req_.outlier) RETURN_IF_ERROR(ComputeState());
  if (InTimeline()) {
    RETURN_IF_ERROR(StageDag());
    if (!req_.keep_current_state) RETURN_IF_ERROR(StageCurrentState());
    RETURN_IF_ERROR(StageTimeline());
    // Relations, threads and redactions count for timeline events only.
    RETURN_IF_ERROR(StageRelations(
        impl_.engine, {meta_.room_nid, meta_.event_nid, meta_.sender_nid,
                       meta_.stream, &pdu_},
        batch_));
  }
  RETURN_IF_ERROR(Put(Cf::kEventnidEventmeta,
                      keys::NidKey::Encode(meta_.event_nid),
                      EncodeEventMeta(meta_)));

  absl::Status written = impl_.engine.Write(batch_);
  claims_.Finish(written.ok());
  if (!written.ok()) return written;
  impl_.snapshots.Committed(snapshot_txn_);
  if (!removed_extremities_.empty() || added_extremity_ != 0) {
    impl_.extremities.Apply(meta_.room_nid, removed_extremities_,
                            added_extremity_);
  }
  if (!membership_changes_.empty()) {
    impl_.member_counts.Apply(meta_.room_nid, [&](MemberCounts& counts) {
      for (auto [old_membership, new_membership] : membership_changes_) {
        if (old_membership != Membership::kNone) {
          --counts.by_membership[static_cast<size_t>(old_membership)];
        }
        if (new_membership != Membership::kNone) {
          ++counts.by_membership[static_cast<size_t>(new_membership)];
        }
      }
    });
  }
  return PersistedEvent{meta_.event_nid, meta_.room_nid, meta_.stream,
                        meta_.state_before, meta_.state_after, false};
}

absl::StatusOr<std::optional<EventMeta>> PersistOp::Existing() {
  auto nid = impl_.events.Lookup(IdKey::Encode(pdu_.event_id()));
  if (absl::IsNotFound(nid.status())) return std::nullopt;
  if (!nid.ok()) return nid.status();
  return impl_.Meta(*nid);
}

// An event first stored as an outlier (say, from an auth chain) that now
// joins the timeline keeps its nid and JSON; it gets everything a new
// timeline event gets.
absl::Status PersistOp::PromoteOutlier(EventMeta existing) {
  ASSIGN_OR_RETURN(RoomNid room,
                   impl_.rooms.Lookup(IdKey::Encode(req_.room_id)));
  if (room != existing.room_nid) {
    return absl::InvalidArgumentError(
        absl::StrCat("persist: event ", AV(existing.event_id),
                     " is stored in another room"));
  }
  meta_ = std::move(existing);
  meta_.outlier = false;
  meta_.rejected = req_.rejected;
  meta_.rejection_reason = req_.rejection_reason;
  return absl::OkStatus();
}

absl::Status PersistOp::AssignIds() {
  std::string room_key = IdKey::Encode(req_.room_id);
  auto known_room = impl_.rooms.Lookup(room_key);
  if (!known_room.ok() && !absl::IsNotFound(known_room.status())) {
    return known_room.status();
  }
  if (!known_room.ok() && req_.room_version == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "persist: room ", AV(req_.room_id), " is new; room_version required"));
  }
  ASSIGN_OR_RETURN(auto room,
                   impl_.rooms.GetOrAssign(room_key, "", claims_, batch_));
  if (room.created) {
    RoomInfo info{room.nid, std::string(req_.room_id),
                  std::string(req_.room_version->id)};
    RETURN_IF_ERROR(Put(Cf::kRoomnidRoom, keys::NidKey::Encode(room.nid),
                        EncodeRoomRecord(info)));
  }
  ASSIGN_OR_RETURN(auto event,
                   impl_.events.GetOrAssign(IdKey::Encode(pdu_.event_id()),
                                            pdu_.event_id(), claims_, batch_));
  if (!event.created) {
    return absl::AlreadyExistsError(absl::StrCat(
        "persist: event ", AV(pdu_.event_id()), " stored concurrently"));
  }
  ASSIGN_OR_RETURN(auto sender,
                   impl_.users.GetOrAssign(IdKey::Encode(pdu_.sender()),
                                           pdu_.sender(), claims_, batch_));
  meta_.event_nid = event.nid;
  meta_.event_id = pdu_.event_id();
  meta_.room_nid = room.nid;
  meta_.depth = pdu_.depth();
  meta_.origin_server_ts = pdu_.origin_server_ts();
  meta_.type = pdu_.type();
  meta_.sender_nid = sender.nid;
  meta_.prev_events = pdu_.prev_events();
  meta_.auth_events = pdu_.auth_events();
  meta_.outlier = req_.outlier;
  meta_.rejected = req_.rejected;
  meta_.rejection_reason = req_.rejection_reason;
  if (pdu_.Is(event_type::kMember)) {
    meta_.membership = ParseMembership(pdu_.membership().value_or(""));
  }
  if (pdu_.is_state()) {
    std::string key = StateKeyKey::Encode(pdu_.type(), *pdu_.state_key());
    ASSIGN_OR_RETURN(auto state_key,
                     impl_.state_keys.GetOrAssign(key, key, claims_, batch_));
    meta_.state_key_nid = state_key.nid;
    meta_.state_key = *pdu_.state_key();
  }
  return absl::OkStatus();
}

absl::Status PersistOp::ComputeState() {
  absl::StatusOr<SnapshotNid> before;
  if (req_.state_before) {
    // The parent to store the given state as a delta against: the state
    // after the prev events when they agree, else the current state; both
    // are usually close to it.
    absl::StatusOr<SnapshotNid> from_prevs =
        absl::FailedPreconditionError("no prev events");
    if (!pdu_.prev_events().empty()) from_prevs = StateFromPrevEvents();
    SnapshotNid parent = 0;
    if (from_prevs.ok()) {
      parent = *from_prevs;
    } else {
      ASSIGN_OR_RETURN(parent, impl_.CurrentSnapshot(meta_.room_nid));
    }
    before = StageEntries(*req_.state_before, parent);
  } else {
    before = StateFromPrevEvents();
  }
  // A rejected event's state does not matter much; its prev events may be
  // unknown, and that must not stop it from being recorded.
  if (req_.rejected && absl::IsFailedPrecondition(before.status())) {
    return absl::OkStatus();
  }
  if (!before.ok()) return before.status();
  meta_.state_before = *before;
  meta_.state_after = *before;
  if (pdu_.is_state() && !req_.rejected) {
    ASSIGN_OR_RETURN(meta_.state_after,
                     impl_.snapshots.StageDelta(
                         meta_.room_nid, *before,
                         {{meta_.state_key_nid, meta_.event_nid}},
                         snapshot_txn_, batch_));
  }
  return absl::OkStatus();
}

absl::StatusOr<SnapshotNid> PersistOp::StateFromPrevEvents() {
  if (pdu_.prev_events().empty()) {
    // The create event: the empty state, stored once per room.
    return impl_.snapshots.StageDelta(meta_.room_nid, 0, {}, snapshot_txn_,
                                      batch_);
  }
  std::optional<SnapshotNid> state;
  for (const std::string& prev : pdu_.prev_events()) {
    auto nid = impl_.events.Lookup(IdKey::Encode(prev));
    if (absl::IsNotFound(nid.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          "persist: prev event ", AV(prev), " not stored; give state_before"));
    }
    if (!nid.ok()) return nid.status();
    ASSIGN_OR_RETURN(EventMeta prev_meta, impl_.Meta(*nid));
    if (prev_meta.outlier || prev_meta.state_after == 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "persist: prev event ", AV(prev), " has no state; give state_before"));
    }
    if (state && *state != prev_meta.state_after) {
      return absl::FailedPreconditionError(
          "persist: prev events have different states; give state_before");
    }
    state = prev_meta.state_after;
  }
  return *state;
}

absl::StatusOr<SnapshotNid> PersistOp::StageEntries(
    const std::vector<StateEntry>& entries, SnapshotNid parent) {
  StateMap state;
  state.reserve(entries.size());
  for (const StateEntry& entry : entries) {
    EventNid event = 0;
    if (entry.event_id == meta_.event_id) {
      event = meta_.event_nid;
    } else {
      auto nid = impl_.events.Lookup(IdKey::Encode(entry.event_id));
      if (absl::IsNotFound(nid.status())) {
        return absl::InvalidArgumentError(
            absl::StrCat("persist: state names unknown event ",
                         AV(entry.event_id)));
      }
      if (!nid.ok()) return nid.status();
      event = *nid;
    }
    std::string key = StateKeyKey::Encode(entry.type, entry.state_key);
    ASSIGN_OR_RETURN(auto state_key,
                     impl_.state_keys.GetOrAssign(key, key, claims_, batch_));
    state[state_key.nid] = event;
  }
  return impl_.snapshots.StageState(meta_.room_nid, parent, state,
                                    snapshot_txn_, batch_);
}

absl::Status PersistOp::StageDag() {
  std::string empty;
  for (const std::string& prev : pdu_.prev_events()) {
    RETURN_IF_ERROR(Put(Cf::kEventidChildnid,
                        keys::ChildKey::Encode(prev, meta_.event_nid), empty));
  }
  // History (backfill) is behind the present: the extremities stay.
  if (req_.keep_current_state) return absl::OkStatus();
  for (const std::string& prev : pdu_.prev_events()) {
    // A prev event is no longer a forward extremity.
    auto nid = impl_.events.Lookup(IdKey::Encode(prev));
    if (nid.ok()) {
      RETURN_IF_ERROR(
          Delete(Cf::kRoomnidExtremities,
                 keys::ExtremityKey::Encode(meta_.room_nid, *nid)));
      removed_extremities_.push_back(*nid);
    } else if (!absl::IsNotFound(nid.status())) {
      return nid.status();
    }
  }
  // An event that arrived after one of its children (which named it in
  // prev_events) is not an extremity either.
  std::string prefix = keys::ChildKey::EncodePrefix(meta_.event_id);
  auto upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice(*upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  auto it = impl_.engine.NewIterator(Cf::kEventidChildnid, options);
  it->Seek(prefix);
  bool has_child = it->Valid();
  RETURN_IF_ERROR(FromRocks(it->status(), "children"));
  if (!has_child) {
    RETURN_IF_ERROR(Put(
        Cf::kRoomnidExtremities,
        keys::ExtremityKey::Encode(meta_.room_nid, meta_.event_nid), empty));
    added_extremity_ = meta_.event_nid;
  }
  return absl::OkStatus();
}

absl::Status PersistOp::StageCurrentState() {
  ASSIGN_OR_RETURN(SnapshotNid old_current,
                   impl_.CurrentSnapshot(meta_.room_nid));
  SnapshotNid new_current = meta_.state_after;
  if (req_.current_state_after) {
    ASSIGN_OR_RETURN(new_current,
                     StageEntries(*req_.current_state_after, new_current));
  }
  if (new_current == old_current) return absl::OkStatus();
  ASSIGN_OR_RETURN(StateDelta diff, impl_.snapshots.Diff(
                                        old_current, new_current,
                                        &snapshot_txn_));
  for (const auto& [key, event] : diff) {
    RETURN_IF_ERROR(StageStateChange(key, event));
  }
  return Put(Cf::kRoomnidCurrentsnapshot,
             keys::NidKey::Encode(meta_.room_nid),
             keys::NidKey::Encode(new_current));
}

absl::Status PersistOp::StageStateChange(StateKeyNid key, EventNid new_event) {
  std::string row = keys::CurrentStateKey::Encode(meta_.room_nid, key);
  ASSIGN_OR_RETURN(auto old_value, impl_.engine.Get(Cf::kRoomnidCurrentstate,
                                                    row));
  EventNid old_event = 0;
  if (old_value) {
    auto decoded = keys::NidKey::Decode(*old_value);
    if (!decoded.ok()) return absl::DataLossError("current state: bad value");
    old_event = std::get<0>(*decoded);
  }
  if (new_event == 0) {
    RETURN_IF_ERROR(Delete(Cf::kRoomnidCurrentstate, row));
  } else {
    RETURN_IF_ERROR(Put(Cf::kRoomnidCurrentstate, row,
                        keys::NidKey::Encode(new_event)));
  }
  ASSIGN_OR_RETURN(StateKey state_key, impl_.GetStateKey(key));
  if (state_key.type != event_type::kMember) return absl::OkStatus();
  return StageMembership(state_key.state_key, old_event, new_event);
}

absl::Status PersistOp::StageMembership(std::string_view user_id,
                                        EventNid old_event,
                                        EventNid new_event) {
  auto membership_of = [&](EventNid event) -> absl::StatusOr<Membership> {
    if (event == 0) return Membership::kNone;
    if (event == meta_.event_nid) return meta_.membership;
    ASSIGN_OR_RETURN(EventMeta meta, impl_.Meta(event));
    return meta.membership;
  };
  ASSIGN_OR_RETURN(Membership old_membership, membership_of(old_event));
  ASSIGN_OR_RETURN(Membership new_membership, membership_of(new_event));
  ASSIGN_OR_RETURN(auto user,
                   impl_.users.GetOrAssign(IdKey::Encode(user_id), user_id,
                                           claims_, batch_));
  RoomNid room = meta_.room_nid;
  membership_changes_.emplace_back(old_membership, new_membership);
  if (old_membership != Membership::kNone) {
    auto m = static_cast<uint8_t>(old_membership);
    RETURN_IF_ERROR(Delete(Cf::kRoomnidMembers,
                           keys::RoomMemberKey::Encode(room, m, user.nid)));
    RETURN_IF_ERROR(Delete(Cf::kUsernidRooms,
                           keys::UserRoomKey::Encode(user.nid, m, room)));
  }
  if (new_membership != Membership::kNone) {
    auto m = static_cast<uint8_t>(new_membership);
    std::string value = keys::NidKey::Encode(new_event);
    RETURN_IF_ERROR(Put(Cf::kRoomnidMembers,
                        keys::RoomMemberKey::Encode(room, m, user.nid), value));
    RETURN_IF_ERROR(Put(Cf::kUsernidRooms,
                        keys::UserRoomKey::Encode(user.nid, m, room), value));
  }
  return absl::OkStatus();
}

absl::Status PersistOp::StageTimeline() {
  // Reserved last, right before the write, so the position is in flight
  // (holding back Published()) for as short a time as possible.
  stream_ = impl_.stream.Reserve();
  meta_.stream = stream_;
  RoomNid room = meta_.room_nid;
  std::string event = keys::NidKey::Encode(meta_.event_nid);
  RETURN_IF_ERROR(Put(Cf::kStreamEventnid, keys::NidKey::Encode(stream_),
                      keys::U64PairValue::Encode(room, meta_.event_nid)));
  RETURN_IF_ERROR(Put(Cf::kRoomstreamEventnid,
                      keys::RoomStreamKey::Encode(room, stream_), event));
  return Put(Cf::kRoomtopoEventnid,
             keys::RoomTopoKey::Encode(room, meta_.depth, stream_), event);
}

}  // namespace

absl::StatusOr<PersistedEvent> PersistEvent(EventStore::Impl& impl,
                                            const PersistRequest& request) {
  RETURN_IF_ERROR(Validate(request));
  absl::MutexLock lock(&impl.RoomLock(request.room_id));
  PersistOp op(impl, request);
  return op.Run();
}

}  // namespace myelin::storage
