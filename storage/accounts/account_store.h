// AccountStore: accounts, devices, access/refresh token sessions, profiles
// and registration-token use counts, in the account column families
// (storage/FORMAT.md, "Accounts").
//
// Tokens never reach this class: callers pass the SHA-256 of a token
// (server/client/tokens.h), so the database holds nothing that grants
// access. Every logical change (register + first login, login replacing a
// device's tokens, deleting devices with their tokens, deactivation) is one
// WriteBatch.
//
// Thread safety: all methods may be called concurrently. Read-modify-write
// methods serialise on one mutex: account writes are rare next to reads
// (token lookups, which take no lock), and one lock makes "is this
// localpart free" and "create it" atomic without transactions.
#ifndef MYELIN_STORAGE_ACCOUNTS_ACCOUNT_STORE_H_
#define MYELIN_STORAGE_ACCOUNTS_ACCOUNT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/engine.h"

namespace myelin::storage {

struct Account {
  std::string password_hash;  // crypto_pwhash_str output; "" = none
  int64_t created_at_ms = 0;
  bool deactivated = false;
  bool admin = false;
  std::string user_type;
};

struct Device {
  std::string device_id;
  std::string display_name;
  int64_t created_at_ms = 0;
  int64_t last_seen_ms = 0;
  std::string last_seen_ip;
  std::string access_token_hash;
  std::string refresh_token_hash;  // "" when refresh tokens are off
  // The refresh token exchanged last, valid until the new tokens are used.
  std::string previous_refresh_token_hash;
};

// What an access or refresh token stands for.
struct Session {
  std::string user_id;
  std::string device_id;
  int64_t expires_at_ms = 0;  // 0: never
  bool refresh = false;       // a refresh token, not an access token
  // Access tokens from a refresh: the refresh token hash their first use
  // revokes ("" when none).
  std::string revokes_on_use;
};

// A new or renewed login of one device.
struct DeviceLogin {
  std::string user_id;
  std::string device_id;
  // Used when the device is new; an existing device keeps its name unless
  // this is set.
  std::optional<std::string> display_name;
  std::string access_token_hash;
  std::string refresh_token_hash;  // "" for none
  int64_t access_expires_at_ms = 0;
  std::string ip;
  int64_t now_ms = 0;
};

struct Profile {
  std::optional<std::string> displayname;
  std::optional<std::string> avatar_url;
};

class AccountStore {
 public:
  // `engine` must outlive the store.
  explicit AccountStore(Engine* engine) : engine_(engine) {}

  absl::StatusOr<std::optional<Account>> GetAccount(
      std::string_view localpart) const;

  // Creates the account, its profile (displayname = localpart, as Synapse
  // does) and, if `login` is set, its first device, in one batch.
  // AlreadyExists if the localpart is taken (deactivated accounts included:
  // ids are never reused).
  absl::Status CreateAccount(std::string_view localpart,
                             std::string_view user_id, const Account& account,
                             const std::optional<DeviceLogin>& login);

  // Replaces the password hash.
  absl::Status SetPasswordHash(std::string_view localpart,
                               std::string_view password_hash);

  // Marks the account deactivated, deletes all devices and tokens and
  // clears the profile, in one batch.
  absl::Status Deactivate(std::string_view localpart, std::string_view user_id);

  // Creates the device or replaces its tokens (the old ones stop working),
  // in one batch.
  absl::Status Login(const DeviceLogin& login);

  // POST /refresh with the refresh token `presented_hash` of
  // login.user_id/login.device_id: replaces the device's tokens with
  // login's, keeping `presented_hash` valid until the new access token is
  // used (ConfirmRefresh) or the new refresh token is exchanged. Presenting
  // the previous token again (a retried refresh) is allowed. NotFound if
  // the token is neither the device's current nor its previous one.
  absl::Status Refresh(std::string_view presented_hash,
                       const DeviceLogin& login);
  // The first use of an access token issued by Refresh: revokes the
  // refresh token it replaced.
  absl::Status ConfirmRefresh(std::string_view access_token_hash);

  // The session of a token hash, nullopt if unknown.
  absl::StatusOr<std::optional<Session>> GetSession(
      std::string_view token_hash) const;

  absl::StatusOr<std::vector<Device>> ListDevices(
      std::string_view user_id) const;
  absl::StatusOr<std::optional<Device>> GetDevice(
      std::string_view user_id, std::string_view device_id) const;
  // NotFound if the device does not exist.
  absl::Status SetDeviceDisplayName(std::string_view user_id,
                                    std::string_view device_id,
                                    std::string_view display_name);
  // Deletes the devices (missing ones are skipped) and their tokens.
  // Returns the ids of the devices that existed.
  absl::StatusOr<std::vector<std::string>> DeleteDevices(
      std::string_view user_id, const std::vector<std::string>& device_ids);
  // Deletes every device of the user except `keep` (may be ""). Returns
  // the deleted ids.
  absl::StatusOr<std::vector<std::string>> DeleteAllDevices(
      std::string_view user_id, std::string_view keep);

  absl::StatusOr<Profile> GetProfile(std::string_view user_id) const;
  // Sets (or with nullopt clears) one field; returns the new profile.
  absl::StatusOr<Profile> SetProfileField(std::string_view user_id,
                                          std::string_view field,
                                          std::optional<std::string> value);

  // Completed registrations that used `token`.
  absl::StatusOr<uint64_t> RegistrationTokenUses(std::string_view token) const;
  // Creates the account like CreateAccount and counts one use of `token`
  // in the same batch, failing with ResourceExhausted if that would exceed
  // `uses_allowed` (0 = unlimited).
  absl::Status CreateAccountWithToken(std::string_view localpart,
                                      std::string_view user_id,
                                      const Account& account,
                                      const std::optional<DeviceLogin>& login,
                                      std::string_view token,
                                      uint64_t uses_allowed);

 private:
  absl::Status AddAccountLocked(rocksdb::WriteBatch& batch,
                                std::string_view localpart,
                                std::string_view user_id,
                                const Account& account,
                                const std::optional<DeviceLogin>& login)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AddLoginLocked(rocksdb::WriteBatch& batch,
                              const DeviceLogin& login)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Deletes the device's current and previous refresh-token rows.
  absl::Status DeleteRefreshRowsLocked(rocksdb::WriteBatch& batch,
                                       const Device& device)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status DeleteDeviceLocked(rocksdb::WriteBatch& batch,
                                  std::string_view user_id, const Device& device)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Engine* engine_;
  absl::Mutex mu_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ACCOUNTS_ACCOUNT_STORE_H_
