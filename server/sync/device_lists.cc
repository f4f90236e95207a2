#include "server/sync/device_lists.h"

#include <algorithm>
#include <optional>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"

namespace myelin::sync {
namespace {

using storage::Membership;

// Users read from the device-list stream per call. A token further behind
// than this loses the older changes (its client re-queries keys anyway
// after so long).
constexpr size_t kMaxListChanges = 100'000;
// Events scanned for membership changes. A token further behind than this
// gets no `left` and no newly shared users: after so long a client
// re-reads device lists anyway.
constexpr size_t kMaxEventScan = 5000;

class Computer {
 public:
  Computer(const storage::EventStore& events, const storage::KeyStore& keys,
           std::string_view user_id)
      : events_(events), keys_(keys), user_id_(user_id) {}

  absl::StatusOr<DeviceListDelta> Run(const DeviceListRange& range) {
    RETURN_IF_ERROR(AddListChanges(range));
    if (range.events_to > range.events_from) {
      RETURN_IF_ERROR(AddMembershipChanges(range));
    }
    DeviceListDelta delta;
    delta.changed.assign(changed_.begin(), changed_.end());
    for (const std::string& user : maybe_left_) {
      if (user == user_id_ || changed_.contains(user)) continue;
      ASSIGN_OR_RETURN(bool shares, SharesRoom(user));
      if (!shares) delta.left.push_back(user);
    }
    return delta;
  }

 private:
  absl::Status AddListChanges(const DeviceListRange& range) {
    if (range.lists_to <= range.lists_from) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<std::string> users,
                     keys_.DeviceListChanges(range.lists_from, range.lists_to,
                                             kMaxListChanges));
    for (std::string& user : users) {
      ASSIGN_OR_RETURN(bool shares, SharesRoom(user));
      if (shares) changed_.insert(std::move(user));
    }
    return absl::OkStatus();
  }

  absl::Status AddMembershipChanges(const DeviceListRange& range) {
    std::vector<storage::StreamEntry> read;
    const std::vector<storage::StreamEntry>* entries = range.events;
    if (entries == nullptr) {
      ASSIGN_OR_RETURN(read, events_.EventsSince(range.events_from,
                                                 range.events_to, kMaxEventScan));
      if (read.size() == kMaxEventScan) return absl::OkStatus();
      entries = &read;
    }
    struct Change {
      storage::RoomNid room;
      std::string target;
      bool joined;
      storage::SnapshotNid state_before;
      storage::StateKeyNid state_key;
    };
    std::vector<Change> changes;
    absl::flat_hash_set<storage::RoomNid> rooms_i_changed;
    for (const storage::StreamEntry& entry : *entries) {
      ASSIGN_OR_RETURN(storage::EventMeta meta, events_.Meta(entry.event_nid));
      if (meta.membership == Membership::kNone || !meta.state_key.has_value()) {
        continue;
      }
      if (*meta.state_key == user_id_) rooms_i_changed.insert(entry.room_nid);
      changes.push_back({entry.room_nid, std::move(*meta.state_key),
                         meta.membership == Membership::kJoin,
                         meta.state_before, meta.state_key_nid});
    }
    if (changes.empty()) return absl::OkStatus();
    RETURN_IF_ERROR(LoadMyRooms());
    // Only rooms the user is in, or was in during the range, matter.
    std::erase_if(changes, [&](const Change& change) {
      return !my_rooms_.contains(change.room) &&
             !rooms_i_changed.contains(change.room);
    });
    // A join after a join is a profile change, a leave after anything but
    // a join (a rejected invite) ends no sharing: neither is news.
    std::vector<Change> relevant;
    for (Change& change : changes) {
      ASSIGN_OR_RETURN(bool was_joined,
                       WasJoined(change.state_before, change.state_key));
      if (change.joined != was_joined) relevant.push_back(std::move(change));
    }
    changes = std::move(relevant);
    for (const Change& change : changes) {
      if (change.target == user_id_) {
        RETURN_IF_ERROR(AddMembersOf(change.room, change.joined));
      } else if (change.joined) {
        if (!my_rooms_.contains(change.room)) continue;
        ASSIGN_OR_RETURN(bool still, JoinedNow(change.room, change.target));
        if (still) changed_.insert(change.target);
      } else if (my_rooms_.contains(change.room) ||
                 rooms_i_changed.contains(change.room)) {
        maybe_left_.insert(change.target);
      }
    }
    return absl::OkStatus();
  }

  // The user joined (or left) `room`: its members are newly shared (or
  // perhaps no longer).
  absl::Status AddMembersOf(storage::RoomNid room, bool joined) {
    if (joined && !my_rooms_.contains(room)) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<storage::Member> members,
                     events_.Members(room, Membership::kJoin));
    for (storage::Member& member : members) {
      if (member.user_id == user_id_) continue;
      if (joined) {
        changed_.insert(std::move(member.user_id));
      } else {
        maybe_left_.insert(std::move(member.user_id));
      }
    }
    return absl::OkStatus();
  }

  // The rooms the user is joined to now; read once, and only when some
  // change needs them (an idle sync reads nothing).
  absl::Status LoadMyRooms() {
    if (my_rooms_loaded_) return absl::OkStatus();
    my_rooms_loaded_ = true;
    absl::StatusOr<storage::UserNid> user = events_.LookupUser(user_id_);
    if (absl::IsNotFound(user.status())) return absl::OkStatus();
    RETURN_IF_ERROR(user.status());
    ASSIGN_OR_RETURN(std::vector<storage::UserRoom> rooms,
                     events_.RoomsOfUser(*user, Membership::kJoin));
    for (const storage::UserRoom& room : rooms) my_rooms_.insert(room.room_nid);
    return absl::OkStatus();
  }

  absl::StatusOr<bool> WasJoined(storage::SnapshotNid state_before,
                                 storage::StateKeyNid member_key) {
    if (state_before == 0) return false;
    ASSIGN_OR_RETURN(auto before, events_.Snapshot(state_before));
    auto it = before->find(member_key);
    if (it == before->end()) return false;
    ASSIGN_OR_RETURN(storage::EventMeta previous, events_.Meta(it->second));
    return previous.membership == Membership::kJoin;
  }

  absl::StatusOr<bool> JoinedNow(storage::RoomNid room, std::string_view user) {
    absl::StatusOr<storage::UserNid> nid = events_.LookupUser(user);
    if (absl::IsNotFound(nid.status())) return false;
    RETURN_IF_ERROR(nid.status());
    ASSIGN_OR_RETURN(Membership membership, events_.MembershipOf(room, *nid));
    return membership == Membership::kJoin;
  }

  absl::StatusOr<bool> SharesRoom(const std::string& other) {
    if (other == user_id_) return true;
    RETURN_IF_ERROR(LoadMyRooms());
    if (my_rooms_.empty()) return false;
    if (auto it = shares_.find(other); it != shares_.end()) return it->second;
    absl::StatusOr<storage::UserNid> nid = events_.LookupUser(other);
    bool shares = false;
    if (nid.ok()) {
      ASSIGN_OR_RETURN(std::vector<storage::UserRoom> theirs,
                       events_.RoomsOfUser(*nid, Membership::kJoin));
      shares = std::any_of(theirs.begin(), theirs.end(),
                           [&](const storage::UserRoom& room) {
                             return my_rooms_.contains(room.room_nid);
                           });
    } else if (!absl::IsNotFound(nid.status())) {
      return nid.status();
    }
    shares_[other] = shares;
    return shares;
  }

  const storage::EventStore& events_;
  const storage::KeyStore& keys_;
  const std::string user_id_;
  bool my_rooms_loaded_ = false;
  absl::flat_hash_set<storage::RoomNid> my_rooms_;
  absl::flat_hash_map<std::string, bool> shares_;
  absl::btree_set<std::string> changed_;
  absl::btree_set<std::string> maybe_left_;
};

}  // namespace

absl::StatusOr<DeviceListDelta> DeviceListChanges(
    const storage::EventStore& events, const storage::KeyStore& keys,
    std::string_view user_id, const DeviceListRange& range) {
  return Computer(events, keys, user_id).Run(range);
}

}  // namespace myelin::sync
