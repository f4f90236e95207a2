// EventStore: opening, and the point lookups (event_store.h). Persist is in
// persist.cc, the range reads in event_store_reads.cc.
#include "storage/events/event_store.h"

#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/events/event_codec.h"
#include "storage/events/event_store_impl.h"
#include "storage/keys/event_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

NidTableOptions TableOptions(const char* name, Cf forward,
                             std::optional<Cf> reverse, bool share,
                             size_t cache) {
  NidTableOptions options;
  options.name = name;
  options.forward = forward;
  options.reverse = reverse;
  options.share_pending = share;
  options.cache_entries = cache;
  return options;
}

SnapshotStoreOptions SnapshotOptions(const EventStoreOptions& options) {
  SnapshotStoreOptions out;
  out.max_chain = options.max_snapshot_chain;
  out.max_delta_fraction = options.max_delta_fraction;
  out.cache_entries = options.snapshot_cache_entries;
  return out;
}

absl::StatusOr<uint64_t> DecodeU64(const std::string& bytes,
                                   std::string_view what) {
  auto decoded = keys::NidKey::Decode(bytes);
  if (!decoded.ok()) {
    return absl::DataLossError(absl::StrCat(AV(what), ": bad value"));
  }
  return std::get<0>(*decoded);
}

}  // namespace

absl::StatusOr<uint64_t> LastNidIn(const Engine& engine, Cf cf) {
  auto it = engine.NewIterator(cf);
  it->SeekToLast();
  uint64_t last = 0;
  if (it->Valid()) {
    auto decoded = keys::NidKey::Decode(it->key().ToStringView());
    if (!decoded.ok()) {
      return absl::DataLossError(
          absl::StrCat(AV(SpecOf(cf).name), ": last key is not a nid"));
    }
    last = std::get<0>(*decoded);
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "last nid"));
  return last;
}

EventStore::Impl::Impl(Engine& engine, const EventStoreOptions& options,
                       const LastNids& last)
    : engine(engine),
      options(options),
      rooms(engine,
            TableOptions("room", Cf::kRoomidRoomnid, std::nullopt, true,
                         options.nid_cache_entries),
            last.room),
      events(engine,
             TableOptions("event", Cf::kEventidEventnid, std::nullopt, false,
                          options.nid_cache_entries),
             last.event),
      users(engine,
            TableOptions("user", Cf::kUseridUsernid, Cf::kUsernidUserid, true,
                         options.nid_cache_entries),
            last.user),
      state_keys(engine,
                 TableOptions("state key", Cf::kStatekeyStatekeynid,
                              Cf::kStatekeynidStatekey, true,
                              options.nid_cache_entries),
                 last.state_key),
      snapshots(engine, SnapshotOptions(options), last.snapshot),
      stream(last.stream) {}

absl::Mutex& EventStore::Impl::RoomLock(std::string_view room_id) {
  return room_locks[absl::Hash<std::string_view>()(room_id) % kRoomStripes];
}

absl::StatusOr<EventMeta> EventStore::Impl::Meta(EventNid event) const {
  ASSIGN_OR_RETURN(auto bytes, engine.Get(Cf::kEventnidEventmeta,
                                          keys::NidKey::Encode(event)));
  if (!bytes) return absl::NotFoundError(absl::StrCat("no event nid ", event));
  ASSIGN_OR_RETURN(EventMeta meta, DecodeEventMeta(*bytes));
  meta.event_nid = event;
  return meta;
}

absl::StatusOr<RoomInfo> EventStore::Impl::Room(RoomNid room) const {
  ASSIGN_OR_RETURN(auto bytes,
                   engine.Get(Cf::kRoomnidRoom, keys::NidKey::Encode(room)));
  if (!bytes) return absl::NotFoundError(absl::StrCat("no room nid ", room));
  ASSIGN_OR_RETURN(RoomInfo info, DecodeRoomRecord(*bytes));
  info.room_nid = room;
  return info;
}

absl::StatusOr<SnapshotNid> EventStore::Impl::CurrentSnapshot(
    RoomNid room) const {
  ASSIGN_OR_RETURN(auto bytes, engine.Get(Cf::kRoomnidCurrentsnapshot,
                                          keys::NidKey::Encode(room)));
  if (!bytes) return SnapshotNid{0};
  return DecodeU64(*bytes, "current snapshot");
}

absl::StatusOr<StateKey> EventStore::Impl::GetStateKey(StateKeyNid nid) const {
  ASSIGN_OR_RETURN(std::string bytes, state_keys.Reverse(nid));
  auto decoded = keys::StateKeyValue::Decode(bytes);
  if (!decoded.ok()) return absl::DataLossError("state key: bad value");
  return StateKey{std::get<0>(*decoded), std::get<1>(*decoded)};
}

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(
    Engine& engine, const EventStoreOptions& options) {
  if (!(options.max_delta_fraction >= 0)) {  // also rejects NaN
    return absl::InvalidArgumentError(
        "event store: max_delta_fraction must be >= 0");
  }
  Impl::LastNids last;
  ASSIGN_OR_RETURN(last.room, LastNidIn(engine, Cf::kRoomnidRoom));
  ASSIGN_OR_RETURN(last.event, LastNidIn(engine, Cf::kEventnidEventmeta));
  ASSIGN_OR_RETURN(last.user, LastNidIn(engine, Cf::kUsernidUserid));
  ASSIGN_OR_RETURN(last.state_key,
                   LastNidIn(engine, Cf::kStatekeynidStatekey));
  ASSIGN_OR_RETURN(last.snapshot, LastNidIn(engine, Cf::kSnapshotnidSnapshot));
  ASSIGN_OR_RETURN(last.stream, LastNidIn(engine, Cf::kStreamEventnid));
  return std::unique_ptr<EventStore>(
      new EventStore(std::make_unique<Impl>(engine, options, last)));
}

EventStore::EventStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), stream_(&impl_->stream) {}

EventStore::~EventStore() = default;

absl::StatusOr<PersistedEvent> EventStore::Persist(
    const PersistRequest& request) {
  return PersistEvent(*impl_, request);
}

absl::StatusOr<RoomInfo> EventStore::LookupRoom(
    std::string_view room_id) const {
  ASSIGN_OR_RETURN(RoomNid room,
                   impl_->rooms.Lookup(keys::IdKey::Encode(room_id)));
  return impl_->Room(room);
}

absl::StatusOr<RoomInfo> EventStore::GetRoom(RoomNid room) const {
  return impl_->Room(room);
}

absl::StatusOr<const RoomVersionRules*> EventStore::RoomVersion(
    RoomNid room) const {
  ASSIGN_OR_RETURN(RoomInfo info, impl_->Room(room));
  const RoomVersionRules* rules = FindRoomVersion(info.room_version);
  if (rules == nullptr) {
    return absl::DataLossError(absl::StrCat("room ", AV(info.room_id),
                                            ": unknown room version ",
                                            AV(info.room_version)));
  }
  return rules;
}

absl::StatusOr<EventNid> EventStore::LookupEvent(
    std::string_view event_id) const {
  return impl_->events.Lookup(keys::IdKey::Encode(event_id));
}

absl::StatusOr<std::string> EventStore::EventId(EventNid event) const {
  if (auto cached = impl_->events.CachedReverse(event)) return *cached;
  ASSIGN_OR_RETURN(EventMeta meta, impl_->Meta(event));
  impl_->events.CacheReverse(event, meta.event_id);
  return std::move(meta.event_id);
}

absl::StatusOr<std::string> EventStore::EventJson(EventNid event) const {
  ASSIGN_OR_RETURN(auto json, impl_->engine.Get(Cf::kEventnidEventjson,
                                                keys::NidKey::Encode(event)));
  if (!json) return absl::NotFoundError(absl::StrCat("no event nid ", event));
  return *std::move(json);
}

absl::StatusOr<EventMeta> EventStore::Meta(EventNid event) const {
  return impl_->Meta(event);
}

absl::StatusOr<UserNid> EventStore::LookupUser(std::string_view user_id) const {
  return impl_->users.Lookup(keys::IdKey::Encode(user_id));
}

absl::StatusOr<std::string> EventStore::UserId(UserNid user) const {
  return impl_->users.Reverse(user);
}

absl::StatusOr<StateKeyNid> EventStore::LookupStateKey(
    std::string_view type, std::string_view state_key) const {
  return impl_->state_keys.Lookup(keys::StateKeyKey::Encode(type, state_key));
}

absl::StatusOr<StateKey> EventStore::GetStateKey(StateKeyNid nid) const {
  return impl_->GetStateKey(nid);
}

absl::StatusOr<std::shared_ptr<const StateMap>> EventStore::CurrentState(
    RoomNid room) const {
  ASSIGN_OR_RETURN(SnapshotNid snapshot, impl_->CurrentSnapshot(room));
  return impl_->snapshots.Read(snapshot);
}

absl::StatusOr<EventNid> EventStore::CurrentStateEvent(
    RoomNid room, std::string_view type, std::string_view state_key) const {
  ASSIGN_OR_RETURN(StateKeyNid key, LookupStateKey(type, state_key));
  ASSIGN_OR_RETURN(auto bytes,
                   impl_->engine.Get(Cf::kRoomnidCurrentstate,
                                     keys::CurrentStateKey::Encode(room, key)));
  if (!bytes) return absl::NotFoundError("no such state in the room");
  return DecodeU64(*bytes, "current state");
}

absl::StatusOr<std::shared_ptr<const StateMap>> EventStore::StateAtEvent(
    EventNid event, bool after) const {
  ASSIGN_OR_RETURN(EventMeta meta, impl_->Meta(event));
  SnapshotNid snapshot = after ? meta.state_after : meta.state_before;
  if (snapshot == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("event ", AV(meta.event_id), " has no stored state"));
  }
  return impl_->snapshots.Read(snapshot);
}

absl::StatusOr<std::shared_ptr<const StateMap>> EventStore::Snapshot(
    SnapshotNid snapshot) const {
  return impl_->snapshots.Read(snapshot);
}

absl::StatusOr<StateDelta> EventStore::DiffStates(SnapshotNid from,
                                                  SnapshotNid to) const {
  return impl_->snapshots.Diff(from, to);
}

size_t EventStore::CacheBytes() const {
  return impl_->snapshots.CacheBytes();
}

}  // namespace myelin::storage
