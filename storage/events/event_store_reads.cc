// EventStore: range reads — membership, timeline, stream, extremities.
#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/events/event_store.h"
#include "storage/events/event_store_impl.h"
#include "storage/keys/event_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

absl::StatusOr<uint64_t> ValueNid(const rocksdb::Slice& value) {
  auto decoded = keys::NidKey::Decode(value.ToStringView());
  if (!decoded.ok()) return absl::DataLossError("bad nid value");
  return std::get<0>(*decoded);
}

template <typename K>
absl::StatusOr<typename K::Tuple> KeyOf(const rocksdb::Iterator& it) {
  auto decoded = K::Decode(it.key().ToStringView());
  if (!decoded.ok()) return absl::DataLossError("bad key");
  return *std::move(decoded);
}

// An iterator confined to keys starting with `prefix`. Holds the bounds the
// ReadOptions point to, so it must stay where it was built.
class PrefixScan {
 public:
  PrefixScan(const Engine& engine, Cf cf, std::string prefix)
      : lower_(std::move(prefix)), upper_(keys::PrefixUpperBound(lower_)) {
    lower_slice_ = rocksdb::Slice(lower_);
    options_.iterate_lower_bound = &lower_slice_;
    if (upper_) {
      upper_slice_ = rocksdb::Slice(*upper_);
      options_.iterate_upper_bound = &upper_slice_;
    }
    it_ = engine.NewIterator(cf, options_);
  }
  rocksdb::Iterator& it() { return *it_; }
  absl::Status status() const { return FromRocks(it_->status(), "scan"); }

 private:
  std::string lower_;
  std::optional<std::string> upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  rocksdb::ReadOptions options_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

absl::StatusOr<std::vector<StateEntry>> EventStore::ToEntries(
    const StateMap& state) const {
  std::vector<StateEntry> out;
  out.reserve(state.size());
  for (const auto& [key, event] : state) {
    ASSIGN_OR_RETURN(StateKey state_key, impl_->GetStateKey(key));
    ASSIGN_OR_RETURN(std::string event_id, EventId(event));
    out.push_back({std::move(state_key.type), std::move(state_key.state_key),
                   std::move(event_id)});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.type, a.state_key) < std::tie(b.type, b.state_key);
  });
  return out;
}

absl::StatusOr<std::vector<std::string>> EventStore::EventJsons(
    const std::vector<EventNid>& events) const {
  std::vector<std::string> keys;
  keys.reserve(events.size());
  for (EventNid event : events) keys.push_back(keys::NidKey::Encode(event));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(events.size());
  std::vector<rocksdb::Status> statuses(events.size());
  impl_->engine.db()->MultiGet(rocksdb::ReadOptions(),
                               impl_->engine.cf(Cf::kEventnidEventjson),
                               events.size(), slices.data(), values.data(),
                               statuses.data());
  std::vector<std::string> out;
  out.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      return absl::NotFoundError(absl::StrCat("no event nid ", events[i]));
    }
    RETURN_IF_ERROR(FromRocks(statuses[i], "event json"));
    out.emplace_back(values[i].data(), values[i].size());
  }
  return out;
}

absl::StatusOr<std::vector<Member>> EventStore::Members(
    RoomNid room, std::optional<Membership> only, size_t limit) const {
  std::string prefix =
      only ? keys::RoomMemberKey::EncodePrefix(room, static_cast<uint8_t>(*only))
           : keys::RoomMemberKey::EncodePrefix(room);
  PrefixScan scan(impl_->engine, Cf::kRoomnidMembers, std::move(prefix));
  std::vector<Member> out;
  for (scan.it().SeekToFirst(); scan.it().Valid() && out.size() < limit;
       scan.it().Next()) {
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::RoomMemberKey>(scan.it()));
    Member member;
    member.membership = static_cast<Membership>(std::get<1>(key));
    member.user_nid = std::get<2>(key);
    ASSIGN_OR_RETURN(member.event_nid, ValueNid(scan.it().value()));
    ASSIGN_OR_RETURN(member.user_id, impl_->users.Reverse(member.user_nid));
    out.push_back(std::move(member));
  }
  RETURN_IF_ERROR(scan.status());
  return out;
}

absl::StatusOr<MemberCounts> EventStore::CountMembers(RoomNid room) const {
  RoomCache<MemberCounts>::Lookup cached = impl_->member_counts.Get(room);
  if (cached.value.has_value()) return *cached.value;
  PrefixScan scan(impl_->engine, Cf::kRoomnidMembers,
                  keys::RoomMemberKey::EncodePrefix(room));
  MemberCounts counts;
  for (scan.it().SeekToFirst(); scan.it().Valid(); scan.it().Next()) {
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::RoomMemberKey>(scan.it()));
    uint8_t membership = std::get<1>(key);
    if (membership >= counts.by_membership.size()) {
      return absl::DataLossError("roomnid_members: unknown membership");
    }
    ++counts.by_membership[membership];
  }
  RETURN_IF_ERROR(scan.status());
  impl_->member_counts.Fill(room, cached.version, counts);
  return counts;
}

absl::StatusOr<std::vector<UserRoom>> EventStore::RoomsOfUser(
    UserNid user, std::optional<Membership> only) const {
  std::string prefix =
      only ? keys::UserRoomKey::EncodePrefix(user, static_cast<uint8_t>(*only))
           : keys::UserRoomKey::EncodePrefix(user);
  PrefixScan scan(impl_->engine, Cf::kUsernidRooms, std::move(prefix));
  std::vector<UserRoom> out;
  for (scan.it().SeekToFirst(); scan.it().Valid(); scan.it().Next()) {
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::UserRoomKey>(scan.it()));
    UserRoom room;
    room.membership = static_cast<Membership>(std::get<1>(key));
    room.room_nid = std::get<2>(key);
    ASSIGN_OR_RETURN(room.event_nid, ValueNid(scan.it().value()));
    out.push_back(room);
  }
  RETURN_IF_ERROR(scan.status());
  return out;
}

absl::StatusOr<Membership> EventStore::MembershipOf(RoomNid room,
                                                    UserNid user) const {
  ASSIGN_OR_RETURN(std::string user_id, impl_->users.Reverse(user));
  auto event = CurrentStateEvent(room, "m.room.member", user_id);
  if (absl::IsNotFound(event.status())) return Membership::kNone;
  if (!event.ok()) return event.status();
  ASSIGN_OR_RETURN(EventMeta meta, impl_->Meta(*event));
  return meta.membership;
}

absl::StatusOr<TimelinePage> EventStore::Timeline(RoomNid room,
                                                  StreamPos from,
                                                  Direction direction,
                                                  size_t limit) const {
  StreamPos published = stream_->Published();
  PrefixScan scan(impl_->engine, Cf::kRoomstreamEventnid,
                  keys::RoomStreamKey::EncodePrefix(room));
  rocksdb::Iterator& it = scan.it();
  TimelinePage page;
  page.next_stream = from;
  bool forward = direction == Direction::kForward;
  if (forward) {
    if (from == std::numeric_limits<StreamPos>::max()) {
      page.end = true;
      return page;
    }
    it.Seek(keys::RoomStreamKey::Encode(room, from + 1));
  } else {
    it.SeekForPrev(keys::RoomStreamKey::Encode(room, std::min(from, published)));
  }
  while (page.entries.size() < limit) {
    if (!it.Valid()) {
      page.end = true;
      break;
    }
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::RoomStreamKey>(it));
    StreamPos pos = std::get<1>(key);
    if (pos > published) {  // forward only: not yet visible
      page.end = true;
      break;
    }
    TimelineEntry entry;
    entry.stream = pos;
    ASSIGN_OR_RETURN(entry.event_nid, ValueNid(it.value()));
    page.entries.push_back(entry);
    page.next_stream = forward ? pos : pos - 1;
    if (forward) {
      it.Next();
    } else {
      it.Prev();
    }
  }
  RETURN_IF_ERROR(scan.status());
  return page;
}

absl::StatusOr<TimelinePage> EventStore::TopologicalTimeline(
    RoomNid room, TopoToken from, Direction direction, size_t limit) const {
  StreamPos published = stream_->Published();
  PrefixScan scan(impl_->engine, Cf::kRoomtopoEventnid,
                  keys::RoomTopoKey::EncodePrefix(room));
  rocksdb::Iterator& it = scan.it();
  TimelinePage page;
  page.next_topo = from;
  bool forward = direction == Direction::kForward;
  std::string start = keys::RoomTopoKey::Encode(room, from.depth, from.stream);
  if (forward) {
    it.Seek(start);
    if (it.Valid() && it.key().ToStringView() == start) it.Next();
  } else {
    it.SeekForPrev(start);
  }
  while (page.entries.size() < limit) {
    if (!it.Valid()) {
      page.end = true;
      break;
    }
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::RoomTopoKey>(it));
    TimelineEntry entry;
    entry.depth = std::get<1>(key);
    entry.stream = std::get<2>(key);
    // Not yet published: invisible, but later keys may be visible.
    if (entry.stream <= published) {
      ASSIGN_OR_RETURN(entry.event_nid, ValueNid(it.value()));
      page.entries.push_back(entry);
      page.next_topo = forward ? TopoToken{entry.depth, entry.stream}
                               : TopoToken{entry.depth, entry.stream - 1};
    }
    if (forward) {
      it.Next();
    } else {
      it.Prev();
    }
  }
  RETURN_IF_ERROR(scan.status());
  return page;
}

absl::StatusOr<StreamPos> EventStore::LatestStream(RoomNid room) const {
  ASSIGN_OR_RETURN(TimelinePage page,
                   Timeline(room, std::numeric_limits<StreamPos>::max(),
                            Direction::kBackward, 1));
  return page.entries.empty() ? 0 : page.entries.front().stream;
}

absl::StatusOr<std::vector<StreamEntry>> EventStore::EventsSince(
    StreamPos from, StreamPos to, size_t limit) const {
  StreamPos last = std::min(to, stream_->Published());
  std::vector<StreamEntry> out;
  if (from >= last) return out;
  auto it = impl_->engine.NewIterator(Cf::kStreamEventnid);
  for (it->Seek(keys::NidKey::Encode(from + 1));
       it->Valid() && out.size() < limit; it->Next()) {
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::NidKey>(*it));
    StreamPos pos = std::get<0>(key);
    if (pos > last) break;
    auto value = keys::U64PairValue::Decode(it->value().ToStringView());
    if (!value.ok()) return absl::DataLossError("stream entry: bad value");
    out.push_back({pos, std::get<0>(*value), std::get<1>(*value)});
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "stream scan"));
  return out;
}

absl::StatusOr<std::optional<std::string>> EventStore::EventOfTxn(
    const ClientTxn& txn) const {
  return impl_->engine.Get(
      Cf::kTxnidEventid,
      keys::TxnKey::Encode(txn.user_id, txn.device_id, txn.txn_id));
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>>
EventStore::TxnOfEvent(EventNid event) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   impl_->engine.Get(Cf::kEventnidTxnid, keys::NidKey::Encode(event)));
  if (!value.has_value()) return std::optional<std::pair<std::string, std::string>>();
  absl::StatusOr<std::tuple<std::string, std::string>> decoded =
      keys::TxnValue::Decode(*value);
  if (!decoded.ok()) return absl::DataLossError("eventnid_txnid: bad value");
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(std::get<0>(*decoded), std::get<1>(*decoded)));
}

absl::StatusOr<std::vector<EventNid>> EventStore::ForwardExtremities(
    RoomNid room) const {
  ExtremityCache::Lookup cached = impl_->extremities.Get(room);
  if (cached.extremities.has_value()) return *std::move(cached.extremities);
  PrefixScan scan(impl_->engine, Cf::kRoomnidExtremities,
                  keys::ExtremityKey::EncodePrefix(room));
  std::vector<EventNid> out;
  for (scan.it().SeekToFirst(); scan.it().Valid(); scan.it().Next()) {
    ASSIGN_OR_RETURN(auto key, KeyOf<keys::ExtremityKey>(scan.it()));
    out.push_back(std::get<1>(key));
  }
  RETURN_IF_ERROR(scan.status());
  impl_->extremities.Fill(room, cached.version, out);
  return out;
}

}  // namespace myelin::storage
