#include "storage/events/nid_table.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "storage/keys/event_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

absl::StatusOr<uint64_t> DecodeNid(std::string_view bytes, const char* what) {
  auto decoded = keys::NidKey::Decode(bytes);
  if (!decoded.ok()) {
    return absl::DataLossError(absl::StrCat(what, " nid: bad value"));
  }
  return std::get<0>(*decoded);
}

}  // namespace

NidClaims::~NidClaims() { Finish(false); }

void NidClaims::Finish(bool committed) {
  for (auto& [table, key] : held_) table->Release(key, committed);
  held_.clear();
}

NidTable::NidTable(Engine& engine, const NidTableOptions& options,
                   uint64_t last_nid)
    : engine_(engine), options_(options), last_nid_(last_nid) {}

uint64_t NidTable::last_nid() const {
  absl::MutexLock lock(&mu_);
  return last_nid_;
}

absl::StatusOr<uint64_t> NidTable::Lookup(std::string_view key) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = forward_cache_.find(AV(key));
    if (it != forward_cache_.end()) return it->second;
  }
  ASSIGN_OR_RETURN(auto value, engine_.Get(options_.forward, key));
  if (!value) {
    return absl::NotFoundError(absl::StrCat("unknown ", options_.name));
  }
  ASSIGN_OR_RETURN(uint64_t nid, DecodeNid(*value, options_.name));
  absl::MutexLock lock(&mu_);
  if (forward_cache_.size() >= options_.cache_entries) forward_cache_.clear();
  forward_cache_.emplace(std::string(key), nid);
  return nid;
}

absl::StatusOr<std::string> NidTable::Reverse(uint64_t nid) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = reverse_cache_.find(nid);
    if (it != reverse_cache_.end()) return it->second;
    auto pending = pending_by_nid_.find(nid);
    if (pending != pending_by_nid_.end()) {
      return pending_.at(pending->second).reverse_value;
    }
  }
  if (!options_.reverse) {
    return absl::InternalError(
        absl::StrCat(options_.name, " nids have no reverse family"));
  }
  ASSIGN_OR_RETURN(auto value,
                   engine_.Get(*options_.reverse, keys::NidKey::Encode(nid)));
  if (!value) {
    return absl::NotFoundError(
        absl::StrCat("unknown ", options_.name, " nid ", nid));
  }
  absl::MutexLock lock(&mu_);
  if (reverse_cache_.size() >= options_.cache_entries) reverse_cache_.clear();
  reverse_cache_.emplace(nid, *value);
  return *std::move(value);
}

absl::StatusOr<NidTable::Assigned> NidTable::GetOrAssign(
    std::string_view key, std::string_view reverse_value, NidClaims& claims,
    rocksdb::WriteBatch& batch) {
  // Everything below runs under mu_, so the check of "pending, cached or
  // stored" and the assignment are one step: two writers cannot both find
  // the id missing and both assign.
  absl::MutexLock lock(&mu_);
  auto pending = pending_.find(AV(key));
  if (pending != pending_.end()) {
    if (!options_.share_pending) {
      return absl::AlreadyExistsError(absl::StrCat(
          options_.name, " is being stored by another write"));
    }
    uint64_t nid = pending->second.nid;
    RETURN_IF_ERROR(StageRows(key, nid, reverse_value, batch));
    ++pending->second.holders;
    claims.held_.emplace_back(this, std::string(key));
    return Assigned{nid, true};
  }
  auto cached = forward_cache_.find(AV(key));
  if (cached != forward_cache_.end()) return Assigned{cached->second, false};
  ASSIGN_OR_RETURN(auto value, engine_.Get(options_.forward, key));
  if (value) {
    ASSIGN_OR_RETURN(uint64_t nid, DecodeNid(*value, options_.name));
    if (forward_cache_.size() >= options_.cache_entries) forward_cache_.clear();
    forward_cache_.emplace(std::string(key), nid);
    return Assigned{nid, false};
  }
  uint64_t nid = ++last_nid_;
  RETURN_IF_ERROR(StageRows(key, nid, reverse_value, batch));
  pending_.emplace(std::string(key), Pending{nid, std::string(reverse_value), 1, false});
  pending_by_nid_.emplace(nid, std::string(key));
  claims.held_.emplace_back(this, std::string(key));
  return Assigned{nid, true};
}

absl::Status NidTable::StageRows(std::string_view key, uint64_t nid,
                                 std::string_view reverse_value,
                                 rocksdb::WriteBatch& batch) {
  std::string encoded = keys::NidKey::Encode(nid);
  RETURN_IF_ERROR(
      FromRocks(batch.Put(engine_.cf(options_.forward), key, encoded),
                "stage nid"));
  if (options_.reverse) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_.cf(*options_.reverse), encoded, reverse_value),
        "stage nid"));
  }
  return absl::OkStatus();
}

void NidTable::Release(const std::string& key, bool committed) {
  absl::MutexLock lock(&mu_);
  auto it = pending_.find(AV(key));
  if (it == pending_.end()) return;
  Pending& pending = it->second;
  pending.committed |= committed;
  if (--pending.holders > 0) return;
  pending_by_nid_.erase(pending.nid);
  if (pending.committed) {
    CacheLocked(key, pending.nid, std::move(pending.reverse_value));
  }
  pending_.erase(it);
}

void NidTable::CacheLocked(std::string key, uint64_t nid,
                           std::string reverse_value) {
  if (forward_cache_.size() >= options_.cache_entries) forward_cache_.clear();
  if (reverse_cache_.size() >= options_.cache_entries) reverse_cache_.clear();
  forward_cache_.emplace(std::move(key), nid);
  if (options_.reverse || !reverse_value.empty()) {
    reverse_cache_.emplace(nid, std::move(reverse_value));
  }
}

std::optional<std::string> NidTable::CachedReverse(uint64_t nid) const {
  absl::MutexLock lock(&mu_);
  auto it = reverse_cache_.find(nid);
  if (it == reverse_cache_.end()) return std::nullopt;
  return it->second;
}

void NidTable::CacheReverse(uint64_t nid, std::string_view value) const {
  absl::MutexLock lock(&mu_);
  if (reverse_cache_.size() >= options_.cache_entries) reverse_cache_.clear();
  reverse_cache_.emplace(nid, std::string(value));
}

}  // namespace myelin::storage
