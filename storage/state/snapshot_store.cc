#include "storage/state/snapshot_store.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "storage/keys/event_keys.h"
#include "storage/rocks_status.h"
#include "storage/state/capnp_bytes.h"
#include "storage/state/snapshot.capnp.h"

namespace myelin::storage {
namespace {

// Bytes per cached state entry: the flat_hash_map slot (16) plus control
// bytes and the load-factor slack, rounded up.
constexpr size_t kBytesPerEntry = 40;

const std::shared_ptr<const StateMap>& EmptyState() {
  static const auto* empty = new std::shared_ptr<const StateMap>(
      std::make_shared<const StateMap>());
  return *empty;
}

// Sorts by key; a later entry for the same key wins.
void Normalise(StateDelta& delta) {
  std::stable_sort(delta.begin(), delta.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  StateDelta out;
  out.reserve(delta.size());
  for (const auto& entry : delta) {
    if (!out.empty() && out.back().first == entry.first) {
      out.back().second = entry.second;
    } else {
      out.push_back(entry);
    }
  }
  delta = std::move(out);
}

StateDelta SortedEntries(const StateMap& state) {
  StateDelta out(state.begin(), state.end());
  std::sort(out.begin(), out.end());
  return out;
}

// Entries of `to` that differ from `from`, and removals of keys only in
// `from`; sorted.
StateDelta DiffMaps(const StateMap& from, const StateMap& to) {
  StateDelta out;
  for (const auto& [key, event] : to) {
    auto it = from.find(key);
    if (it == from.end() || it->second != event) out.emplace_back(key, event);
  }
  for (const auto& [key, event] : from) {
    if (!to.contains(key)) out.emplace_back(key, 0);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string EncodeRecord(RoomNid room, const SnapshotTxn::Staged& staged) {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<schema::SnapshotRecord>();
  root.setRoomNid(room);
  root.setParent(staged.parent);
  root.setChainDepth(staged.chain_depth);
  root.setChainEntries(staged.chain_entries);
  root.setSize(staged.size);
  auto keys = root.initStateKeyNids(staged.delta.size());
  auto events = root.initEventNids(staged.delta.size());
  for (size_t i = 0; i < staged.delta.size(); ++i) {
    keys.set(i, staged.delta[i].first);
    events.set(i, staged.delta[i].second);
  }
  return CapnpToBytes(message);
}

}  // namespace

void ApplyDelta(const StateDelta& delta, StateMap& state) {
  for (const auto& [key, event] : delta) {
    if (event == 0) {
      state.erase(key);
    } else {
      state[key] = event;
    }
  }
}

SnapshotStore::SnapshotStore(Engine& engine,
                             const SnapshotStoreOptions& options,
                             SnapshotNid last_stored)
    : engine_(engine),
      options_(options),
      last_nid_(last_stored),
      maps_(options.cache_entries),
      records_(options.cache_entries / 4) {}

absl::StatusOr<SnapshotStore::RecordPtr> SnapshotStore::GetRecord(
    SnapshotNid snapshot) const {
  if (auto cached = records_.Get(snapshot)) return cached;
  ASSIGN_OR_RETURN(auto bytes, engine_.Get(Cf::kSnapshotnidSnapshot,
                                           keys::NidKey::Encode(snapshot)));
  if (!bytes) {
    return absl::NotFoundError(absl::StrCat("no state snapshot ", snapshot));
  }
  ASSIGN_OR_RETURN(
      Record record,
      ReadCapnp<schema::SnapshotRecord>(
          *bytes, "state snapshot", [](schema::SnapshotRecord::Reader r) {
            Record record;
            record.parent = r.getParent();
            record.chain_depth = r.getChainDepth();
            record.chain_entries = r.getChainEntries();
            record.size = r.getSize();
            auto keys = r.getStateKeyNids();
            auto events = r.getEventNids();
            size_t n = std::min(keys.size(), events.size());
            record.entries.reserve(n);
            for (size_t i = 0; i < n; ++i) {
              record.entries.emplace_back(keys[i], events[i]);
            }
            return record;
          }));
  // Written sorted; a record that is not would break LookupIn.
  if (!std::is_sorted(record.entries.begin(), record.entries.end())) {
    return absl::DataLossError(
        absl::StrCat("state snapshot ", snapshot, ": entries not sorted"));
  }
  size_t weight = record.entries.size() + 1;
  auto ptr = std::make_shared<const Record>(std::move(record));
  records_.Put(snapshot, ptr, weight);
  return ptr;
}

absl::StatusOr<std::shared_ptr<const StateMap>> SnapshotStore::Read(
    SnapshotNid snapshot, const SnapshotTxn* txn) const {
  if (snapshot == 0) return EmptyState();
  if (txn != nullptr) {
    auto it = txn->staged_.find(snapshot);
    if (it != txn->staged_.end()) {
      // Staged records are only reachable from their own writer.
      auto& staged = const_cast<SnapshotTxn::Staged&>(it->second);
      if (staged.full == nullptr) {
        ASSIGN_OR_RETURN(auto base, Read(staged.parent, txn));
        auto full = std::make_shared<StateMap>(*base);
        ApplyDelta(staged.delta, *full);
        staged.full = std::move(full);
      }
      return staged.full;
    }
  }
  if (auto cached = maps_.Get(snapshot)) return cached;

  // Walk down to a cached or full snapshot, then apply the deltas upwards.
  std::vector<RecordPtr> chain;
  std::shared_ptr<const StateMap> base;
  for (SnapshotNid cur = snapshot; cur != 0;) {
    if (cur != snapshot && (base = maps_.Get(cur)) != nullptr) break;
    ASSIGN_OR_RETURN(RecordPtr record, GetRecord(cur));
    cur = record->parent;
    chain.push_back(std::move(record));
    if (chain.size() > options_.max_chain + 64) {
      return absl::DataLossError(
          absl::StrCat("state snapshot ", snapshot, ": chain too long"));
    }
  }
  auto full = base ? std::make_shared<StateMap>(*base)
                   : std::make_shared<StateMap>();
  full->reserve(chain.front()->size);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    ApplyDelta((*it)->entries, *full);
  }
  std::shared_ptr<const StateMap> result = std::move(full);
  maps_.Put(snapshot, result, result->size() + 1);
  return result;
}

absl::StatusOr<EventNid> SnapshotStore::LookupIn(SnapshotNid snapshot,
                                                 StateKeyNid key,
                                                 const SnapshotTxn* txn) const {
  auto search = [key](const StateDelta& entries) -> std::optional<EventNid> {
    auto it = std::lower_bound(
        entries.begin(), entries.end(), key,
        [](const auto& entry, StateKeyNid k) { return entry.first < k; });
    if (it != entries.end() && it->first == key) return it->second;
    return std::nullopt;
  };
  for (size_t steps = 0; snapshot != 0; ++steps) {
    if (steps > options_.max_chain + 64) {
      return absl::DataLossError("state snapshot: chain too long");
    }
    const SnapshotTxn::Staged* staged = nullptr;
    if (txn != nullptr) {
      auto it = txn->staged_.find(snapshot);
      if (it != txn->staged_.end()) staged = &it->second;
    }
    std::shared_ptr<const StateMap> map =
        staged ? staged->full : maps_.Get(snapshot);
    if (map != nullptr) {
      auto it = map->find(key);
      return it == map->end() ? 0 : it->second;
    }
    RecordPtr record;
    if (staged == nullptr) {
      ASSIGN_OR_RETURN(record, GetRecord(snapshot));
    }
    const StateDelta& entries = staged ? staged->delta : record->entries;
    SnapshotNid parent = staged ? staged->parent : record->parent;
    if (auto found = search(entries)) return *found;
    snapshot = parent;  // 0 after a full record: the key is absent
  }
  return EventNid{0};
}

absl::StatusOr<SnapshotNid> SnapshotStore::StageDelta(
    RoomNid room, SnapshotNid parent, StateDelta delta, SnapshotTxn& txn,
    rocksdb::WriteBatch& batch) {
  Normalise(delta);
  uint32_t parent_depth = 0;
  uint64_t parent_chain = 0, parent_size = 0;
  if (parent != 0) {
    auto staged = txn.staged_.find(parent);
    if (staged != txn.staged_.end()) {
      parent_depth = staged->second.chain_depth;
      parent_chain = staged->second.chain_entries;
      parent_size = staged->second.size;
    } else {
      ASSIGN_OR_RETURN(RecordPtr record, GetRecord(parent));
      parent_depth = record->chain_depth;
      parent_chain = record->chain_entries;
      parent_size = record->size;
    }
  }
  // Drop entries that change nothing, and count the size change. Point
  // lookups, so a delta over a large state does not copy it.
  StateDelta effective;
  int64_t size = static_cast<int64_t>(parent_size);
  for (const auto& [key, event] : delta) {
    ASSIGN_OR_RETURN(EventNid old, LookupIn(parent, key, &txn));
    if (old == event) continue;
    if (old == 0) ++size;
    if (event == 0) --size;
    effective.emplace_back(key, event);
  }
  if (parent != 0 && effective.empty()) return parent;

  SnapshotTxn::Staged staged;
  staged.size = static_cast<uint64_t>(size);
  staged.chain_depth = parent_depth + 1;
  staged.chain_entries = parent_chain + effective.size();
  bool full = parent == 0 || staged.chain_depth > options_.max_chain ||
              static_cast<double>(staged.chain_entries) >
                  options_.max_delta_fraction * staged.size + 64;
  if (full) {
    ASSIGN_OR_RETURN(auto parent_state, Read(parent, &txn));
    auto state = std::make_shared<StateMap>(*parent_state);
    ApplyDelta(effective, *state);
    staged.parent = 0;
    staged.chain_depth = 0;
    staged.chain_entries = 0;
    staged.delta = SortedEntries(*state);
    staged.full = std::move(state);
  } else {
    staged.parent = parent;
    staged.delta = std::move(effective);
  }
  return Stage(room, std::move(staged), txn, batch);
}

absl::StatusOr<SnapshotNid> SnapshotStore::StageState(
    RoomNid room, SnapshotNid parent, const StateMap& state, SnapshotTxn& txn,
    rocksdb::WriteBatch& batch) {
  ASSIGN_OR_RETURN(auto parent_state, Read(parent, &txn));
  return StageDelta(room, parent, DiffMaps(*parent_state, state), txn, batch);
}

absl::StatusOr<SnapshotNid> SnapshotStore::Stage(RoomNid room,
                                                 SnapshotTxn::Staged staged,
                                                 SnapshotTxn& txn,
                                                 rocksdb::WriteBatch& batch) {
  SnapshotNid nid = ++last_nid_;
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_.cf(Cf::kSnapshotnidSnapshot),
                                      keys::NidKey::Encode(nid),
                                      EncodeRecord(room, staged)),
                            "stage snapshot"));
  txn.staged_.emplace(nid, std::move(staged));
  return nid;
}

absl::StatusOr<StateDelta> SnapshotStore::Diff(SnapshotNid from,
                                               SnapshotNid to,
                                               const SnapshotTxn* txn) const {
  if (from == to) return StateDelta{};
  // Fast path: `to` is a delta directly over `from`.
  if (txn != nullptr) {
    auto it = txn->staged_.find(to);
    if (it != txn->staged_.end() && it->second.parent == from && from != 0) {
      return it->second.delta;
    }
  }
  bool staged = txn != nullptr && txn->staged_.contains(to);
  if (!staged && from != 0 && to != 0) {
    ASSIGN_OR_RETURN(RecordPtr record, GetRecord(to));
    if (record->parent == from) return record->entries;
  }
  ASSIGN_OR_RETURN(auto a, Read(from, txn));
  ASSIGN_OR_RETURN(auto b, Read(to, txn));
  return DiffMaps(*a, *b);
}

void SnapshotStore::Committed(SnapshotTxn& txn) {
  for (auto& [nid, staged] : txn.staged_) {
    if (staged.full != nullptr) {
      maps_.Put(nid, staged.full, staged.full->size() + 1);
    }
    // The record as GetRecord would decode it, so the next write to the
    // room finds its parent without a read.
    Record record{staged.parent, staged.chain_depth, staged.chain_entries,
                  staged.size, std::move(staged.delta)};
    size_t weight = record.entries.size() + 1;
    records_.Put(nid, std::make_shared<const Record>(std::move(record)),
                 weight);
  }
  txn.staged_.clear();
}

absl::StatusOr<uint32_t> SnapshotStore::ChainDepth(SnapshotNid snapshot) const {
  ASSIGN_OR_RETURN(RecordPtr record, GetRecord(snapshot));
  return record->chain_depth;
}

size_t SnapshotStore::CacheEntries() const { return maps_.weight(); }

size_t SnapshotStore::CacheBytes() const {
  // Records cost about half a map entry per entry (16 bytes, no slack).
  return maps_.weight() * kBytesPerEntry + records_.weight() * 16;
}

}  // namespace myelin::storage
