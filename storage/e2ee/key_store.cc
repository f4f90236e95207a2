#include "storage/e2ee/key_store.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"
#include "storage/keys/e2ee_keys.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

// The device-list stream has one scope: every user's changes in one order.
constexpr std::string_view kAllUsers = "";

std::string_view View(const rocksdb::Slice& slice) {
  return std::string_view(slice.data(), slice.size());
}

// Calls `fn(key, value)` for every row of `cf` whose key starts with
// `prefix` (non-empty), in key order.
template <typename Fn>
absl::Status ScanPrefix(const Engine& engine, Cf cf, const std::string& prefix,
                        Fn fn) {
  std::string upper = *keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it = engine.NewIterator(cf, options);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(fn(View(it->key()), View(it->value())));
  }
  return FromRocks(it->status(), SpecOf(cf).name);
}

absl::Status DeletePrefix(const Engine& engine, Cf cf, const std::string& prefix,
                          rocksdb::WriteBatch& batch) {
  return FromRocks(batch.DeleteRange(engine.cf(cf), prefix,
                                     *keys::PrefixUpperBound(prefix)),
                   SpecOf(cf).name);
}

absl::Status BadRow(Cf cf) {
  return absl::DataLossError(absl::StrCat(AV(SpecOf(cf).name), ": bad row"));
}

// The `keys` member of device keys, as JSON; "" when absent or unreadable.
std::string IdentityOf(std::string_view device_keys) {
  absl::StatusOr<boost::json::object> object = json::ParseJsonObject(device_keys);
  if (!object.ok()) return "";
  const boost::json::value* keys = object->if_contains("keys");
  return keys == nullptr ? "" : boost::json::serialize(*keys);
}

absl::StatusOr<FallbackKey> DecodeFallback(std::string_view algorithm,
                                           std::string_view value) {
  absl::StatusOr<keys::FallbackKeyValue::Tuple> decoded =
      keys::FallbackKeyValue::Decode(value);
  if (!decoded.ok()) return BadRow(Cf::kUserdeviceFallbackkeys);
  auto& [used, key_id, json] = *decoded;
  return FallbackKey{std::string(algorithm), std::move(key_id), std::move(json),
                     used != 0};
}

std::string EncodeFallback(const FallbackKey& key) {
  return keys::FallbackKeyValue::Encode(key.used ? 1 : 0, key.key_id, key.json);
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(Engine* engine) {
  ASSIGN_OR_RETURN(std::unique_ptr<StreamedTable> device_lists,
                   StreamedTable::Open(engine, {Cf::kUseridDevicelistpos,
                                                Cf::kDevicelistposUserid,
                                                keys::MetaRow::kDeviceListStream}));
  return std::unique_ptr<KeyStore>(new KeyStore(engine, std::move(device_lists)));
}

std::mutex& KeyStore::StripeOf(std::string_view user_id) {
  return stripes_[std::hash<std::string_view>()(user_id) % kStripes];
}

absl::Status KeyStore::CommitWithChanges(rocksdb::WriteBatch& batch,
                                         const std::vector<std::string>& users) {
  RETURN_IF_ERROR(device_lists_->PutAll(kAllUsers, users, "", batch).status());
  if (listener_) {
    for (const std::string& user : users) listener_(user);
  }
  return absl::OkStatus();
}

// --- Device keys, one-time and fallback keys ---

absl::StatusOr<KeyStore::KeyCounts> KeyStore::Upload(std::string_view user_id,
                                                     std::string_view device_id,
                                                     const KeyUpload& upload) {
  std::string user(user_id), device(device_id);
  std::lock_guard<std::mutex> lock(StripeOf(user));
  rocksdb::WriteBatch batch;
  bool device_list_changed = false;
  if (upload.device_keys.has_value()) {
    ASSIGN_OR_RETURN(std::optional<std::string> stored, DeviceKeys(user, device));
    if (stored.has_value() && *stored != *upload.device_keys &&
        IdentityOf(*stored) != IdentityOf(*upload.device_keys)) {
      return InvalidParam(
          "The device already has other identity keys; log in as a new "
          "device to use new keys");
    }
    if (stored != upload.device_keys) {
      RETURN_IF_ERROR(FromRocks(
          batch.Put(engine_->cf(Cf::kUserdeviceDevicekeys),
                    keys::DeviceKeysKey::Encode(user, device), *upload.device_keys),
          "device keys"));
      device_list_changed = true;
    }
  }

  if (!upload.one_time_keys.empty()) {
    // (algorithm, key id) -> stored JSON, and the device's last upload.
    std::map<std::pair<std::string, std::string>, std::string> held;
    uint64_t last_upload = 0;
    RETURN_IF_ERROR(ScanPrefix(
        *engine_, Cf::kUserdeviceOnetimekeys,
        keys::OneTimeKeyKey::EncodePrefix(user, device),
        [&](std::string_view key, std::string_view value) -> absl::Status {
          auto decoded = keys::OneTimeKeyKey::Decode(key);
          if (!decoded.ok()) return BadRow(Cf::kUserdeviceOnetimekeys);
          auto& [u, d, algorithm, number, key_id] = *decoded;
          last_upload = std::max(last_upload, number);
          held[{std::move(algorithm), std::move(key_id)}] = std::string(value);
          return absl::OkStatus();
        }));
    // Keys claimed in this process may all be gone from the table; new
    // ones still sort after the claim cursor.
    std::vector<std::string> algorithms;
    for (const OneTimeKey& key : upload.one_time_keys) {
      algorithms.push_back(key.algorithm);
    }
    last_upload =
        std::max(last_upload, ClaimedUploadNumber(user, device, algorithms));
    for (const OneTimeKey& key : upload.one_time_keys) {
      auto it = held.find({key.algorithm, key.key_id});
      if (it != held.end()) {
        if (it->second != key.json) {
          return InvalidParam(absl::StrCat("One-time key ", key.algorithm, ":",
                                           key.key_id,
                                           " already exists with other content"));
        }
        continue;  // Uploaded again (a retried request): already held.
      }
      held[{key.algorithm, key.key_id}] = key.json;
      RETURN_IF_ERROR(FromRocks(
          batch.Put(engine_->cf(Cf::kUserdeviceOnetimekeys),
                    keys::OneTimeKeyKey::Encode(user, device, key.algorithm,
                                                last_upload + 1, key.key_id),
                    key.json),
          "one-time key"));
    }
  }

  for (const FallbackKey& key : upload.fallback_keys) {
    std::string row_key = keys::FallbackKeyKey::Encode(user, device, key.algorithm);
    ASSIGN_OR_RETURN(std::optional<std::string> stored,
                     engine_->Get(Cf::kUserdeviceFallbackkeys, row_key));
    if (stored.has_value()) {
      ASSIGN_OR_RETURN(FallbackKey old, DecodeFallback(key.algorithm, *stored));
      // The same key again keeps its used flag (as Synapse), so a retried
      // upload does not revive a used key.
      if (old.key_id == key.key_id && old.json == key.json) continue;
    }
    FallbackKey fresh = key;
    fresh.used = false;
    RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kUserdeviceFallbackkeys),
                                        row_key, EncodeFallback(fresh)),
                              "fallback key"));
  }

  if (device_list_changed) {
    RETURN_IF_ERROR(CommitWithChanges(batch, {user}));
  } else if (batch.Count() > 0) {
    RETURN_IF_ERROR(engine_->Write(batch));
  }
  return CountsOf(user, device);
}

absl::StatusOr<std::optional<std::string>> KeyStore::DeviceKeys(
    std::string_view user_id, std::string_view device_id) const {
  return engine_->Get(Cf::kUserdeviceDevicekeys,
                      keys::DeviceKeysKey::Encode(user_id, device_id));
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
KeyStore::AllDeviceKeys(std::string_view user_id) const {
  std::vector<std::pair<std::string, std::string>> devices;
  RETURN_IF_ERROR(ScanPrefix(
      *engine_, Cf::kUserdeviceDevicekeys,
      keys::DeviceKeysKey::EncodePrefix(std::string(user_id)),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        auto decoded = keys::DeviceKeysKey::Decode(key);
        if (!decoded.ok()) return BadRow(Cf::kUserdeviceDevicekeys);
        devices.emplace_back(std::get<1>(*decoded), std::string(value));
        return absl::OkStatus();
      }));
  return devices;
}

absl::StatusOr<KeyStore::KeyCounts> KeyStore::CountsOf(
    const std::string& user, const std::string& device) const {
  KeyCounts counts;
  RETURN_IF_ERROR(ScanPrefix(
      *engine_, Cf::kUserdeviceOnetimekeys,
      keys::OneTimeKeyKey::EncodePrefix(user, device),
      [&](std::string_view key, std::string_view) -> absl::Status {
        auto decoded = keys::OneTimeKeyKey::Decode(key);
        if (!decoded.ok()) return BadRow(Cf::kUserdeviceOnetimekeys);
        ++counts[std::get<2>(*decoded)];
        return absl::OkStatus();
      }));
  return counts;
}

absl::StatusOr<KeyStore::KeyCounts> KeyStore::OneTimeKeyCounts(
    std::string_view user_id, std::string_view device_id) const {
  return CountsOf(std::string(user_id), std::string(device_id));
}

absl::StatusOr<std::vector<FallbackKey>> KeyStore::FallbackKeys(
    std::string_view user_id, std::string_view device_id) const {
  std::vector<FallbackKey> fallbacks;
  RETURN_IF_ERROR(ScanPrefix(
      *engine_, Cf::kUserdeviceFallbackkeys,
      keys::FallbackKeyKey::EncodePrefix(std::string(user_id),
                                         std::string(device_id)),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        auto decoded = keys::FallbackKeyKey::Decode(key);
        if (!decoded.ok()) return BadRow(Cf::kUserdeviceFallbackkeys);
        ASSIGN_OR_RETURN(FallbackKey fallback,
                         DecodeFallback(std::get<2>(*decoded), value));
        fallbacks.push_back(std::move(fallback));
        return absl::OkStatus();
      }));
  return fallbacks;
}

absl::StatusOr<std::vector<std::string>> KeyStore::UnusedFallbackKeyTypes(
    std::string_view user_id, std::string_view device_id) const {
  ASSIGN_OR_RETURN(std::vector<FallbackKey> fallbacks,
                   FallbackKeys(user_id, device_id));
  std::vector<std::string> unused;
  for (FallbackKey& key : fallbacks) {
    if (!key.used) unused.push_back(std::move(key.algorithm));
  }
  return unused;
}

absl::StatusOr<std::optional<ClaimedKey>> KeyStore::Claim(
    std::string_view user_id, std::string_view device_id,
    std::string_view algorithm) {
  std::string user(user_id), device(device_id), alg(algorithm);
  std::string prefix = keys::OneTimeKeyKey::EncodePrefix(user, device, alg);
  std::optional<ClaimedKey> claimed;
  std::string row_key;
  {
    std::lock_guard<std::mutex> lock(StripeOf(user));
    using Row = std::optional<std::pair<std::string, std::string>>;
    ASSIGN_OR_RETURN(Row next, NextOneTimeKey(prefix));
    if (!next.has_value()) return ClaimFallbackLocked(user, device, alg);
    auto decoded = keys::OneTimeKeyKey::Decode(next->first);
    if (!decoded.ok()) return BadRow(Cf::kUserdeviceOnetimekeys);
    claimed = ClaimedKey{{alg, std::get<4>(*decoded), std::move(next->second)},
                         false};
    row_key = std::move(next->first);
    std::lock_guard<std::mutex> cursors(cursors_mu_);
    claim_cursors_[prefix] = row_key;
  }
  // Spec: "Servers must ensure that each one-time key is returned at most
  // once": the key was taken under the user's stripe (the cursor moved past
  // it), so the delete may commit outside it, together with other claims'
  // deletes in one group commit. If it fails, the key is handed to nobody
  // in this process and stays stored.
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kUserdeviceOnetimekeys), row_key),
      "one-time key"));
  RETURN_IF_ERROR(engine_->Write(batch));
  return claimed;
}

// The first one-time key under `prefix` after the claim cursor, as (row
// key, JSON). REQUIRES: the user's stripe is held.
absl::StatusOr<std::optional<std::pair<std::string, std::string>>>
KeyStore::NextOneTimeKey(const std::string& prefix) const {
  std::string upper = *keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_slice;
  std::string start = ClaimCursor(prefix);
  // Just after the cursor's row (the smallest key greater than it).
  if (start.empty()) {
    start = prefix;
  } else {
    start.push_back('\0');
  }
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUserdeviceOnetimekeys, options);
  it->Seek(start);
  std::optional<std::pair<std::string, std::string>> next;
  if (it->Valid()) next.emplace(it->key().ToString(), it->value().ToString());
  RETURN_IF_ERROR(FromRocks(it->status(), "one-time keys"));
  return next;
}

std::string KeyStore::ClaimCursor(const std::string& prefix) const {
  std::lock_guard<std::mutex> lock(cursors_mu_);
  auto it = claim_cursors_.find(prefix);
  return it == claim_cursors_.end() ? std::string() : it->second;
}

uint64_t KeyStore::ClaimedUploadNumber(
    const std::string& user, const std::string& device,
    const std::vector<std::string>& algorithms) const {
  uint64_t number = 0;
  for (const std::string& algorithm : algorithms) {
    std::string cursor = ClaimCursor(
        keys::OneTimeKeyKey::EncodePrefix(user, device, algorithm));
    if (cursor.empty()) continue;
    auto decoded = keys::OneTimeKeyKey::Decode(cursor);
    if (decoded.ok()) number = std::max(number, std::get<3>(*decoded));
  }
  return number;
}

// No one-time key left: the fallback key, marked used (and handed out
// again to later claims). REQUIRES: the user's stripe is held.
absl::StatusOr<std::optional<ClaimedKey>> KeyStore::ClaimFallbackLocked(
    const std::string& user, const std::string& device,
    const std::string& algorithm) {
  std::string fallback_key = keys::FallbackKeyKey::Encode(user, device, algorithm);
  ASSIGN_OR_RETURN(std::optional<std::string> stored,
                   engine_->Get(Cf::kUserdeviceFallbackkeys, fallback_key));
  if (!stored.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(FallbackKey fallback, DecodeFallback(algorithm, *stored));
  if (!fallback.used) {
    fallback.used = true;
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kUserdeviceFallbackkeys),
                                        fallback_key, EncodeFallback(fallback)),
                              "fallback key"));
    RETURN_IF_ERROR(engine_->Write(batch));
  }
  return ClaimedKey{{algorithm, fallback.key_id, fallback.json}, true};
}

absl::Status KeyStore::DeviceRenamed(std::string_view user_id,
                                     std::string_view device_id) {
  ASSIGN_OR_RETURN(std::optional<std::string> keys, DeviceKeys(user_id, device_id));
  if (!keys.has_value()) return absl::OkStatus();
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(StripeOf(user));
  rocksdb::WriteBatch batch;
  return CommitWithChanges(batch, {user});
}

absl::Status KeyStore::DeleteDevices(std::string_view user_id,
                                     const std::vector<std::string>& device_ids) {
  if (device_ids.empty()) return absl::OkStatus();
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(StripeOf(user));
  rocksdb::WriteBatch batch;
  for (const std::string& device : device_ids) {
    RETURN_IF_ERROR(FromRocks(batch.Delete(engine_->cf(Cf::kUserdeviceDevicekeys),
                                           keys::DeviceKeysKey::Encode(user, device)),
                              "device keys"));
    RETURN_IF_ERROR(DeletePrefix(*engine_, Cf::kUserdeviceOnetimekeys,
                                 keys::OneTimeKeyKey::EncodePrefix(user, device),
                                 batch));
    RETURN_IF_ERROR(DeletePrefix(*engine_, Cf::kUserdeviceFallbackkeys,
                                 keys::FallbackKeyKey::EncodePrefix(user, device),
                                 batch));
    RETURN_IF_ERROR(DeletePrefix(*engine_, Cf::kKeyidSignatures,
                                 keys::KeySignatureKey::EncodePrefix(user, device),
                                 batch));
  }
  return CommitWithChanges(batch, {user});
}

// --- Cross-signing ---

absl::StatusOr<std::optional<std::string>> KeyStore::CrossSigningKey(
    std::string_view user_id, CrossSigningKind kind) const {
  return engine_->Get(
      Cf::kUseridCrosssigningkeys,
      keys::CrossSigningKeyKey::Encode(user_id, static_cast<uint8_t>(kind)));
}

absl::Status KeyStore::SetCrossSigningKeys(
    std::string_view user_id,
    const std::vector<std::pair<CrossSigningKind, std::string>>& keys) {
  std::string user(user_id);
  std::lock_guard<std::mutex> lock(StripeOf(user));
  rocksdb::WriteBatch batch;
  for (const auto& [kind, json] : keys) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kUseridCrosssigningkeys),
                  keys::CrossSigningKeyKey::Encode(user, static_cast<uint8_t>(kind)),
                  json),
        "cross-signing key"));
  }
  return CommitWithChanges(batch, {user});
}

absl::Status KeyStore::AddSignatures(const std::vector<KeySignature>& signatures) {
  if (signatures.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  std::vector<std::string> users;
  for (const KeySignature& s : signatures) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kKeyidSignatures),
                  keys::KeySignatureKey::Encode(s.target_user, s.target_key,
                                                s.signer_user, s.signer_key_id),
                  s.signature),
        "signature"));
    users.push_back(s.target_user);
  }
  return CommitWithChanges(batch, users);
}

absl::StatusOr<std::vector<KeySignature>> KeyStore::SignaturesOf(
    std::string_view target_user, std::string_view target_key) const {
  std::vector<KeySignature> signatures;
  RETURN_IF_ERROR(ScanPrefix(
      *engine_, Cf::kKeyidSignatures,
      keys::KeySignatureKey::EncodePrefix(std::string(target_user),
                                          std::string(target_key)),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        auto decoded = keys::KeySignatureKey::Decode(key);
        if (!decoded.ok()) return BadRow(Cf::kKeyidSignatures);
        auto& [user, target, signer, signer_key] = *decoded;
        signatures.push_back({std::move(user), std::move(target),
                              std::move(signer), std::move(signer_key),
                              std::string(value)});
        return absl::OkStatus();
      }));
  return signatures;
}

// --- The device-list stream ---

uint64_t KeyStore::DeviceListStream() const {
  return device_lists_->LatestStream();
}

absl::StatusOr<std::vector<std::string>> KeyStore::DeviceListChanges(
    uint64_t after, uint64_t upto, size_t limit) const {
  ASSIGN_OR_RETURN(std::vector<StreamedTable::Change> changes,
                   device_lists_->ChangesSince(kAllUsers, after, limit));
  std::vector<std::string> users;
  for (StreamedTable::Change& change : changes) {
    if (change.stream > upto) break;
    users.push_back(std::move(change.item));
  }
  return users;
}

}  // namespace myelin::storage
