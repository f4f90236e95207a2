#include "storage/accounts/account_store.h"

#include <utility>

#include "dag/base/status_macros.h"
#include "storage/accounts/account_values.h"
#include "storage/keys/account_keys.h"
#include "storage/keys/meta_keys.h"
#include "storage/rocks_status.h"

namespace myelin::storage {
namespace {

absl::Status Put(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                 const std::string& key, const std::string& value) {
  return FromRocks(batch.Put(cf, key, value), "batch put");
}

absl::Status Delete(rocksdb::WriteBatch& batch,
                    rocksdb::ColumnFamilyHandle* cf, const std::string& key) {
  return FromRocks(batch.Delete(cf, key), "batch delete");
}

}  // namespace

absl::StatusOr<std::optional<Account>> AccountStore::GetAccount(
    std::string_view localpart) const {
  ASSIGN_OR_RETURN(auto bytes, engine_->Get(Cf::kLocalpartAccount,
                                            keys::AccountKey::Encode(localpart)));
  if (!bytes) return std::optional<Account>();
  ASSIGN_OR_RETURN(Account account, DecodeAccount(*bytes));
  return std::optional<Account>(std::move(account));
}

absl::Status AccountStore::AddAccountLocked(
    rocksdb::WriteBatch& batch, std::string_view localpart,
    std::string_view user_id, const Account& account,
    const std::optional<DeviceLogin>& login) {
  ASSIGN_OR_RETURN(auto existing, GetAccount(localpart));
  if (existing) return absl::AlreadyExistsError("user id taken");
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kLocalpartAccount),
                      keys::AccountKey::Encode(localpart),
                      EncodeAccount(account)));
  Profile profile;
  profile.displayname = std::string(localpart);
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kUseridProfile),
                      keys::ProfileKey::Encode(user_id),
                      EncodeProfile(profile)));
  if (login) RETURN_IF_ERROR(AddLoginLocked(batch, *login));
  return absl::OkStatus();
}

absl::Status AccountStore::CreateAccount(
    std::string_view localpart, std::string_view user_id,
    const Account& account, const std::optional<DeviceLogin>& login) {
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(AddAccountLocked(batch, localpart, user_id, account, login));
  return engine_->Write(batch);
}

absl::Status AccountStore::CreateAccountWithToken(
    std::string_view localpart, std::string_view user_id,
    const Account& account, const std::optional<DeviceLogin>& login,
    std::string_view token, uint64_t uses_allowed) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(uint64_t uses, RegistrationTokenUses(token));
  if (uses_allowed != 0 && uses >= uses_allowed) {
    return absl::ResourceExhaustedError("registration token used up");
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(AddAccountLocked(batch, localpart, user_id, account, login));
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kRegtokenUses),
                      keys::RegistrationTokenKey::Encode(token),
                      keys::U64Value::Encode(uses + 1)));
  return engine_->Write(batch);
}

absl::Status AccountStore::SetPasswordHash(std::string_view localpart,
                                           std::string_view password_hash) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto account, GetAccount(localpart));
  if (!account) return absl::NotFoundError("no such account");
  account->password_hash = std::string(password_hash);
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kLocalpartAccount),
                      keys::AccountKey::Encode(localpart),
                      EncodeAccount(*account)));
  return engine_->Write(batch);
}

absl::Status AccountStore::Deactivate(std::string_view localpart,
                                      std::string_view user_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto account, GetAccount(localpart));
  if (!account) return absl::NotFoundError("no such account");
  account->deactivated = true;
  account->password_hash.clear();
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kLocalpartAccount),
                      keys::AccountKey::Encode(localpart),
                      EncodeAccount(*account)));
  ASSIGN_OR_RETURN(std::vector<Device> devices, ListDevices(user_id));
  for (const Device& device : devices) {
    RETURN_IF_ERROR(DeleteDeviceLocked(batch, user_id, device));
  }
  RETURN_IF_ERROR(Delete(batch, engine_->cf(Cf::kUseridProfile),
                         keys::ProfileKey::Encode(user_id)));
  return engine_->Write(batch);
}

absl::Status AccountStore::AddLoginLocked(rocksdb::WriteBatch& batch,
                                          const DeviceLogin& login) {
  ASSIGN_OR_RETURN(auto existing, GetDevice(login.user_id, login.device_id));
  Device device;
  if (existing) {
    device = *existing;
    // The device's previous tokens stop working.
    RETURN_IF_ERROR(Delete(batch, engine_->cf(Cf::kTokenhashSession),
                           keys::TokenHashKey::Encode(device.access_token_hash)));
    RETURN_IF_ERROR(DeleteRefreshRowsLocked(batch, device));
    device.previous_refresh_token_hash.clear();
  } else {
    device.device_id = login.device_id;
    device.created_at_ms = login.now_ms;
  }
  if (login.display_name) device.display_name = *login.display_name;
  device.last_seen_ms = login.now_ms;
  device.last_seen_ip = login.ip;
  device.access_token_hash = login.access_token_hash;
  device.refresh_token_hash = login.refresh_token_hash;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kUseridDevices),
                      keys::DeviceKey::Encode(login.user_id, login.device_id),
                      EncodeDevice(device)));
  Session session{login.user_id, login.device_id, login.access_expires_at_ms,
                  false, ""};
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kTokenhashSession),
                      keys::TokenHashKey::Encode(login.access_token_hash),
                      EncodeSession(session)));
  if (!login.refresh_token_hash.empty()) {
    Session refresh{login.user_id, login.device_id, 0, true, ""};
    RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kTokenhashSession),
                        keys::TokenHashKey::Encode(login.refresh_token_hash),
                        EncodeSession(refresh)));
  }
  return absl::OkStatus();
}

absl::Status AccountStore::Login(const DeviceLogin& login) {
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(AddLoginLocked(batch, login));
  return engine_->Write(batch);
}

absl::StatusOr<std::optional<Session>> AccountStore::GetSession(
    std::string_view token_hash) const {
  ASSIGN_OR_RETURN(auto bytes,
                   engine_->Get(Cf::kTokenhashSession,
                                keys::TokenHashKey::Encode(token_hash)));
  if (!bytes) return std::optional<Session>();
  ASSIGN_OR_RETURN(Session session, DecodeSession(*bytes));
  return std::optional<Session>(std::move(session));
}

absl::StatusOr<std::vector<Device>> AccountStore::ListDevices(
    std::string_view user_id) const {
  std::string prefix = keys::DeviceKey::EncodePrefix(std::string(user_id));
  std::optional<std::string> upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice upper_slice;
  rocksdb::ReadOptions options;
  if (upper) {
    upper_slice = rocksdb::Slice(*upper);
    options.iterate_upper_bound = &upper_slice;
  }
  std::vector<Device> devices;
  std::unique_ptr<rocksdb::Iterator> it =
      engine_->NewIterator(Cf::kUseridDevices, options);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    ASSIGN_OR_RETURN(auto key, keys::DeviceKey::Decode(
                                   std::string_view(it->key().data(),
                                                    it->key().size())));
    ASSIGN_OR_RETURN(Device device,
                     DecodeDevice(std::get<1>(key),
                                  std::string_view(it->value().data(),
                                                   it->value().size())));
    devices.push_back(std::move(device));
  }
  RETURN_IF_ERROR(FromRocks(it->status(), "list devices"));
  return devices;
}

absl::StatusOr<std::optional<Device>> AccountStore::GetDevice(
    std::string_view user_id, std::string_view device_id) const {
  ASSIGN_OR_RETURN(auto bytes,
                   engine_->Get(Cf::kUseridDevices,
                                keys::DeviceKey::Encode(user_id, device_id)));
  if (!bytes) return std::optional<Device>();
  ASSIGN_OR_RETURN(Device device, DecodeDevice(device_id, *bytes));
  return std::optional<Device>(std::move(device));
}

absl::Status AccountStore::SetDeviceDisplayName(std::string_view user_id,
                                                std::string_view device_id,
                                                std::string_view display_name) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto device, GetDevice(user_id, device_id));
  if (!device) return absl::NotFoundError("Unknown device");
  device->display_name = std::string(display_name);
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kUseridDevices),
                      keys::DeviceKey::Encode(user_id, device_id),
                      EncodeDevice(*device)));
  return engine_->Write(batch);
}

absl::Status AccountStore::DeleteDeviceLocked(rocksdb::WriteBatch& batch,
                                              std::string_view user_id,
                                              const Device& device) {
  RETURN_IF_ERROR(Delete(batch, engine_->cf(Cf::kUseridDevices),
                         keys::DeviceKey::Encode(user_id, device.device_id)));
  RETURN_IF_ERROR(Delete(batch, engine_->cf(Cf::kTokenhashSession),
                         keys::TokenHashKey::Encode(device.access_token_hash)));
  return DeleteRefreshRowsLocked(batch, device);
}

absl::Status AccountStore::DeleteRefreshRowsLocked(rocksdb::WriteBatch& batch,
                                                   const Device& device) {
  for (const std::string* hash :
       {&device.refresh_token_hash, &device.previous_refresh_token_hash}) {
    if (hash->empty()) continue;
    RETURN_IF_ERROR(Delete(batch, engine_->cf(Cf::kTokenhashSession),
                           keys::TokenHashKey::Encode(*hash)));
  }
  return absl::OkStatus();
}

absl::Status AccountStore::Refresh(std::string_view presented_hash,
                                   const DeviceLogin& login) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto device, GetDevice(login.user_id, login.device_id));
  if (!device || presented_hash.empty()) {
    return absl::NotFoundError("unknown refresh token");
  }
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* sessions = engine_->cf(Cf::kTokenhashSession);
  // The one of current and previous refresh token that is not presented
  // goes; the presented one stays until the new tokens are used.
  const std::string* dropped = nullptr;
  if (presented_hash == device->refresh_token_hash) {
    dropped = &device->previous_refresh_token_hash;
  } else if (presented_hash == device->previous_refresh_token_hash) {
    dropped = &device->refresh_token_hash;  // a retried refresh
  } else {
    return absl::NotFoundError("refresh token already exchanged");
  }
  if (!dropped->empty()) {
    RETURN_IF_ERROR(
        Delete(batch, sessions, keys::TokenHashKey::Encode(*dropped)));
  }
  RETURN_IF_ERROR(Delete(batch, sessions,
                         keys::TokenHashKey::Encode(device->access_token_hash)));
  device->previous_refresh_token_hash = std::string(presented_hash);
  device->access_token_hash = login.access_token_hash;
  device->refresh_token_hash = login.refresh_token_hash;
  device->last_seen_ms = login.now_ms;
  device->last_seen_ip = login.ip;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kUseridDevices),
                      keys::DeviceKey::Encode(login.user_id, login.device_id),
                      EncodeDevice(*device)));
  Session access{login.user_id, login.device_id, login.access_expires_at_ms,
                 false, std::string(presented_hash)};
  RETURN_IF_ERROR(Put(batch, sessions,
                      keys::TokenHashKey::Encode(login.access_token_hash),
                      EncodeSession(access)));
  if (!login.refresh_token_hash.empty()) {
    Session refresh{login.user_id, login.device_id, 0, true, ""};
    RETURN_IF_ERROR(Put(batch, sessions,
                        keys::TokenHashKey::Encode(login.refresh_token_hash),
                        EncodeSession(refresh)));
  }
  return engine_->Write(batch);
}

absl::Status AccountStore::ConfirmRefresh(std::string_view access_token_hash) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto session, GetSession(access_token_hash));
  if (!session || session->revokes_on_use.empty()) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* sessions = engine_->cf(Cf::kTokenhashSession);
  RETURN_IF_ERROR(Delete(batch, sessions,
                         keys::TokenHashKey::Encode(session->revokes_on_use)));
  ASSIGN_OR_RETURN(auto device,
                   GetDevice(session->user_id, session->device_id));
  if (device &&
      device->previous_refresh_token_hash == session->revokes_on_use) {
    device->previous_refresh_token_hash.clear();
    RETURN_IF_ERROR(
        Put(batch, engine_->cf(Cf::kUseridDevices),
            keys::DeviceKey::Encode(session->user_id, session->device_id),
            EncodeDevice(*device)));
  }
  session->revokes_on_use.clear();
  RETURN_IF_ERROR(Put(batch, sessions,
                      keys::TokenHashKey::Encode(access_token_hash),
                      EncodeSession(*session)));
  return engine_->Write(batch);
}

absl::StatusOr<std::vector<std::string>> AccountStore::DeleteDevices(
    std::string_view user_id, const std::vector<std::string>& device_ids) {
  absl::MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  std::vector<std::string> deleted;
  for (const std::string& device_id : device_ids) {
    ASSIGN_OR_RETURN(auto device, GetDevice(user_id, device_id));
    if (!device) continue;
    RETURN_IF_ERROR(DeleteDeviceLocked(batch, user_id, *device));
    deleted.push_back(device_id);
  }
  RETURN_IF_ERROR(engine_->Write(batch));
  return deleted;
}

absl::StatusOr<std::vector<std::string>> AccountStore::DeleteAllDevices(
    std::string_view user_id, std::string_view keep) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::vector<Device> devices, ListDevices(user_id));
  rocksdb::WriteBatch batch;
  std::vector<std::string> deleted;
  for (const Device& device : devices) {
    if (device.device_id == keep) continue;
    RETURN_IF_ERROR(DeleteDeviceLocked(batch, user_id, device));
    deleted.push_back(device.device_id);
  }
  RETURN_IF_ERROR(engine_->Write(batch));
  return deleted;
}

absl::StatusOr<Profile> AccountStore::GetProfile(
    std::string_view user_id) const {
  ASSIGN_OR_RETURN(auto bytes, engine_->Get(Cf::kUseridProfile,
                                            keys::ProfileKey::Encode(user_id)));
  if (!bytes) return Profile();
  return DecodeProfile(*bytes);
}

absl::StatusOr<Profile> AccountStore::SetProfileField(
    std::string_view user_id, std::string_view field,
    std::optional<std::string> value) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Profile profile, GetProfile(user_id));
  if (field == "displayname") {
    profile.displayname = std::move(value);
  } else if (field == "avatar_url") {
    profile.avatar_url = std::move(value);
  } else {
    return absl::InvalidArgumentError("unknown profile field");
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(Put(batch, engine_->cf(Cf::kUseridProfile),
                      keys::ProfileKey::Encode(user_id),
                      EncodeProfile(profile)));
  RETURN_IF_ERROR(engine_->Write(batch));
  return profile;
}

absl::StatusOr<uint64_t> AccountStore::RegistrationTokenUses(
    std::string_view token) const {
  ASSIGN_OR_RETURN(auto bytes,
                   engine_->Get(Cf::kRegtokenUses,
                                keys::RegistrationTokenKey::Encode(token)));
  if (!bytes) return uint64_t{0};
  ASSIGN_OR_RETURN(auto value, keys::U64Value::Decode(*bytes));
  return std::get<0>(value);
}

}  // namespace myelin::storage
