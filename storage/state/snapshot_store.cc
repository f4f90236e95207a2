#include "storage/state/snapshot_store.h"

#include <algorithm>
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
// The record-header cache is cleared when it grows past this many rows.
constexpr size_t kMaxInfos = 200'000;

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
    : engine_(engine), options_(options), last_nid_(last_stored) {}

absl::StatusOr<SnapshotStore::Record> SnapshotStore::ReadRecord(
    SnapshotNid snapshot) const {
  ASSIGN_OR_RETURN(auto bytes, engine_.Get(Cf::kSnapshotnidSnapshot,
                                           keys::NidKey::Encode(snapshot)));
  if (!bytes) {
    return absl::NotFoundError(absl::StrCat("no state snapshot ", snapshot));
  }
  return ReadCapnp<schema::SnapshotRecord>(
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
      });
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
  if (auto cached = CacheGet(snapshot)) return cached;

  // Walk down to a cached or full snapshot, then apply the deltas upwards.
  std::vector<Record> chain;
  std::shared_ptr<const StateMap> base;
  for (SnapshotNid cur = snapshot; cur != 0;) {
    if (cur != snapshot && (base = CacheGet(cur)) != nullptr) break;
    ASSIGN_OR_RETURN(Record record, ReadRecord(cur));
    cur = record.parent;
    chain.push_back(std::move(record));
    if (chain.size() > options_.max_chain + 64) {
      return absl::DataLossError(
          absl::StrCat("state snapshot ", snapshot, ": chain too long"));
    }
  }
  auto full = base ? std::make_shared<StateMap>(*base)
                   : std::make_shared<StateMap>();
  full->reserve(chain.front().size);
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    ApplyDelta(it->entries, *full);
  }
  std::shared_ptr<const StateMap> result = std::move(full);
  CachePut(snapshot, result);
  return result;
}

absl::StatusOr<SnapshotStore::Info> SnapshotStore::InfoOf(
    SnapshotNid snapshot, const SnapshotTxn* txn) const {
  if (snapshot == 0) return Info{};
  if (txn != nullptr) {
    auto it = txn->staged_.find(snapshot);
    if (it != txn->staged_.end()) {
      return Info{it->second.chain_depth, it->second.chain_entries,
                  it->second.size};
    }
  }
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = infos_.find(snapshot);
    if (it != infos_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(Record record, ReadRecord(snapshot));
  Info info{record.chain_depth, record.chain_entries, record.size};
  absl::MutexLock lock(&cache_mu_);
  if (infos_.size() >= kMaxInfos) infos_.clear();
  infos_[snapshot] = info;
  return info;
}

absl::StatusOr<SnapshotNid> SnapshotStore::StageDelta(
    RoomNid room, SnapshotNid parent, StateDelta delta, SnapshotTxn& txn,
    rocksdb::WriteBatch& batch) {
  Normalise(delta);
  ASSIGN_OR_RETURN(auto parent_state, Read(parent, &txn));
  // Drop entries that change nothing, and count the size change.
  StateDelta effective;
  int64_t size = static_cast<int64_t>(parent_state->size());
  for (const auto& [key, event] : delta) {
    auto it = parent_state->find(key);
    bool present = it != parent_state->end();
    if (present ? it->second == event : event == 0) continue;
    if (!present) ++size;
    if (event == 0) --size;
    effective.emplace_back(key, event);
  }
  if (parent != 0 && effective.empty()) return parent;

  ASSIGN_OR_RETURN(Info info, InfoOf(parent, &txn));
  SnapshotTxn::Staged staged;
  staged.size = static_cast<uint64_t>(size);
  staged.chain_depth = info.chain_depth + 1;
  staged.chain_entries = info.chain_entries + effective.size();
  bool full = parent == 0 || staged.chain_depth > options_.max_chain ||
              static_cast<double>(staged.chain_entries) >
                  options_.max_delta_fraction * staged.size + 64;
  if (full) {
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
  ASSIGN_OR_RETURN(auto a, Read(from, txn));
  ASSIGN_OR_RETURN(auto b, Read(to, txn));
  return DiffMaps(*a, *b);
}

void SnapshotStore::Committed(SnapshotTxn& txn) {
  for (auto& [nid, staged] : txn.staged_) {
    {
      absl::MutexLock lock(&cache_mu_);
      if (infos_.size() >= kMaxInfos) infos_.clear();
      infos_[nid] = Info{staged.chain_depth, staged.chain_entries, staged.size};
    }
    if (staged.full != nullptr) CachePut(nid, std::move(staged.full));
  }
  txn.staged_.clear();
}

absl::StatusOr<uint32_t> SnapshotStore::ChainDepth(SnapshotNid snapshot) const {
  ASSIGN_OR_RETURN(Record record, ReadRecord(snapshot));
  return record.chain_depth;
}

std::shared_ptr<const StateMap> SnapshotStore::CacheGet(
    SnapshotNid snapshot) const {
  absl::MutexLock lock(&cache_mu_);
  auto it = index_.find(snapshot);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

void SnapshotStore::CachePut(SnapshotNid snapshot,
                             std::shared_ptr<const StateMap> state) const {
  // A map bigger than the whole cache would evict everything for nothing.
  size_t weight = state->size() + 1;
  if (weight > options_.cache_entries) return;
  absl::MutexLock lock(&cache_mu_);
  if (index_.contains(snapshot)) return;
  lru_.emplace_front(snapshot, std::move(state));
  index_[snapshot] = lru_.begin();
  cached_entries_ += weight;
  while (cached_entries_ > options_.cache_entries && !lru_.empty()) {
    cached_entries_ -= lru_.back().second->size() + 1;
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

size_t SnapshotStore::CacheEntries() const {
  absl::MutexLock lock(&cache_mu_);
  return cached_entries_;
}

size_t SnapshotStore::CacheBytes() const {
  return CacheEntries() * kBytesPerEntry;
}

}  // namespace myelin::storage
