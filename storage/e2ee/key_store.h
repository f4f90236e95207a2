// End-to-end encryption keys (Spec: client-server-api, "End-to-End
// Encryption", keys.yaml and cross_signing.yaml): each device's identity
// keys, one-time keys and fallback keys, each user's cross-signing keys,
// signatures users uploaded for keys, and the device-list stream — which
// users' device lists or cross-signing keys changed after a position, for
// /sync's device_lists and GET /keys/changes.
//
// The store keeps what clients uploaded as canonical JSON and checks only
// what needs the stored data (a changed device identity, a reused one-time
// key id); signatures and formats are checked by the caller
// (server/e2ee). Every change is one WriteBatch; a change that alters a
// user's device list also takes the next device-list position in it.
//
// Thread safety: every method may be called from any thread. Changes to
// one user's keys are serialised (a striped lock on the user id), so a
// one-time key is handed out by exactly one Claim however many run at
// once. Reads take no lock. The Engine must outlive the store.
#ifndef MYELIN_STORAGE_E2EE_KEY_STORE_H_
#define MYELIN_STORAGE_E2EE_KEY_STORE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "storage/engine.h"
#include "storage/streams/streamed_table.h"

namespace myelin::storage {

// The three cross-signing keys of a user. The values reach disk (the key
// of userid_crosssigningkeys): do not change them.
enum class CrossSigningKind : uint8_t {
  kMaster = 1,
  kSelfSigning = 2,
  kUserSigning = 3,
};

struct OneTimeKey {
  std::string algorithm;  // "signed_curve25519"
  std::string key_id;     // "AAAAHg"
  std::string json;       // the key (string or KeyObject), canonical JSON
  bool operator==(const OneTimeKey&) const = default;
};

struct FallbackKey {
  std::string algorithm;
  std::string key_id;
  std::string json;
  // A claim handed it out (it keeps being handed out until replaced).
  bool used = false;
  bool operator==(const FallbackKey&) const = default;
};

struct KeyUpload {
  // The device's identity keys as canonical JSON, already checked (user,
  // device, self-signature) by the caller.
  std::optional<std::string> device_keys;
  std::vector<OneTimeKey> one_time_keys;
  // Each replaces the device's fallback key of its algorithm and is stored
  // unused, unless it is the stored key itself (then the flag is kept).
  std::vector<FallbackKey> fallback_keys;
};

struct ClaimedKey {
  OneTimeKey key;
  bool fallback = false;
};

// A signature uploaded with POST /keys/signatures/upload.
struct KeySignature {
  std::string target_user;
  // A device id, or the unpadded Base64 public key of a master key.
  std::string target_key;
  std::string signer_user;
  std::string signer_key_id;  // "ed25519:<device id or public key>"
  std::string signature;      // unpadded Base64
  bool operator==(const KeySignature&) const = default;
};

class KeyStore {
 public:
  // Algorithm -> unclaimed one-time keys.
  using KeyCounts = std::map<std::string, uint64_t>;

  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(Engine* engine);

  // --- Device keys, one-time and fallback keys ---

  // Stores an upload of `device`'s keys in one batch and returns the
  // device's one-time key counts after it. M_INVALID_PARAM (nothing
  // written) when the device already has identity keys whose `keys` differ
  // from the new ones (as Synapse: a device's identity never changes; a
  // new identity needs a new device), or a one-time key id the device
  // still holds comes with other content. Records a device-list change
  // when the device keys are new or differ from the stored ones.
  absl::StatusOr<KeyCounts> Upload(std::string_view user_id,
                                   std::string_view device_id,
                                   const KeyUpload& upload);

  // The device's identity keys as uploaded; nullopt if none.
  absl::StatusOr<std::optional<std::string>> DeviceKeys(
      std::string_view user_id, std::string_view device_id) const;
  // Every device of the user with identity keys: (device id, keys JSON),
  // by device id.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>>
  AllDeviceKeys(std::string_view user_id) const;

  absl::StatusOr<KeyCounts> OneTimeKeyCounts(std::string_view user_id,
                                             std::string_view device_id) const;
  // Algorithms of the device's fallback keys no claim has handed out yet.
  absl::StatusOr<std::vector<std::string>> UnusedFallbackKeyTypes(
      std::string_view user_id, std::string_view device_id) const;
  // The device's fallback keys, by algorithm.
  absl::StatusOr<std::vector<FallbackKey>> FallbackKeys(
      std::string_view user_id, std::string_view device_id) const;

  // Hands out the device's oldest one-time key of `algorithm` and deletes
  // it, or else its fallback key of that algorithm (marked used, and handed
  // out again by later claims). nullopt when it has neither.
  absl::StatusOr<std::optional<ClaimedKey>> Claim(std::string_view user_id,
                                                  std::string_view device_id,
                                                  std::string_view algorithm);

  // Deletes every key of the devices and the signatures of their keys, and
  // records a device-list change, in one batch.
  // Records a device-list change of the user if the device has uploaded
  // keys (its display name, which /keys/query shows, changed).
  absl::Status DeviceRenamed(std::string_view user_id, std::string_view device_id);

  absl::Status DeleteDevices(std::string_view user_id,
                             const std::vector<std::string>& device_ids);

  // --- Cross-signing ---

  // The key as uploaded (canonical JSON); nullopt if none.
  absl::StatusOr<std::optional<std::string>> CrossSigningKey(
      std::string_view user_id, CrossSigningKind kind) const;
  // Stores the given keys (replacing those of the same kind; the others
  // stay) and records a device-list change, in one batch. Signatures of a
  // replaced master key stay stored under its public key but are never
  // shown with the new one.
  absl::Status SetCrossSigningKeys(
      std::string_view user_id,
      const std::vector<std::pair<CrossSigningKind, std::string>>& keys);

  // Stores the signatures (a later signature by the same signer key of the
  // same target replaces the earlier one) and records a device-list change
  // of every target user, in one batch.
  absl::Status AddSignatures(const std::vector<KeySignature>& signatures);
  // Every stored signature of one key, by signer.
  absl::StatusOr<std::vector<KeySignature>> SignaturesOf(
      std::string_view target_user, std::string_view target_key) const;

  // --- The device-list stream ---

  // The last position; every change at or below it is committed.
  uint64_t DeviceListStream() const;
  // Users whose device list changed at a position in (after, upto], each
  // once, oldest change first; at most `limit`.
  absl::StatusOr<std::vector<std::string>> DeviceListChanges(
      uint64_t after, uint64_t upto, size_t limit) const;

  // Called with the user id after each committed device-list change,
  // outside the store's locks (to wake /sync long-polls). Set once, before
  // the store is shared.
  void SetListener(std::function<void(std::string_view user_id)> listener) {
    listener_ = std::move(listener);
  }

 private:
  static constexpr size_t kStripes = 64;

  KeyStore(Engine* engine, std::unique_ptr<StreamedTable> device_lists)
      : engine_(engine), device_lists_(std::move(device_lists)) {}
  std::mutex& StripeOf(std::string_view user_id);
  // Commits `batch` with a device-list change of each user, then tells the
  // listener.
  absl::Status CommitWithChanges(rocksdb::WriteBatch& batch,
                                 const std::vector<std::string>& users);
  absl::StatusOr<KeyCounts> CountsOf(const std::string& user,
                                     const std::string& device) const;
  absl::StatusOr<std::optional<ClaimedKey>> ClaimFallbackLocked(
      const std::string& user, const std::string& device,
      const std::string& algorithm);
  // The row of the last one-time key claimed under a (user, device,
  // algorithm) prefix in this process, or "".
  std::string ClaimCursor(const std::string& prefix) const;
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>>
  NextOneTimeKey(const std::string& prefix) const;
  // The highest upload number of the device's claimed keys (0 if none).
  uint64_t ClaimedUploadNumber(const std::string& user,
                               const std::string& device,
                               const std::vector<std::string>& algorithms) const;

  Engine* engine_;
  std::unique_ptr<StreamedTable> device_lists_;
  std::function<void(std::string_view)> listener_;
  std::array<std::mutex, kStripes> stripes_;
  // Claims seek past the last claimed key instead of over the tombstones of
  // every key claimed before it, and an upload numbers its keys after it
  // (so they sort after the cursor even when every older key is gone).
  mutable std::mutex cursors_mu_;
  absl::flat_hash_map<std::string, std::string> claim_cursors_;  // By prefix.
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_E2EE_KEY_STORE_H_
