// Hooks for other parts of the server that must react to account changes.
// The rooms layer registers here to propagate profile changes into the
// user's m.room.member events in every joined room (Spec: client-server-api,
// "Events on change of profile information") and to leave rooms when an
// account is deactivated.
//
// Observers are added during start-up, before serving; they are then called
// on the worker thread of the request that made the change, after the
// change is committed. They must not block for long.
#ifndef MYELIN_SERVER_CLIENT_ACCOUNT_HOOKS_H_
#define MYELIN_SERVER_CLIENT_ACCOUNT_HOOKS_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/accounts/account_store.h"

namespace myelin::client {

class AccountHooks {
 public:
  // (user id, the whole new profile).
  using ProfileChanged =
      std::function<void(std::string_view, const storage::Profile&)>;
  using Deactivated = std::function<void(std::string_view)>;
  // (user id, deleted device ids): logout, device deletion, password change
  // with logout_devices. The end-to-end keys of those devices go too.
  using DevicesDeleted = std::function<void(
      std::string_view, const std::vector<std::string>&)>;
  // (user id, device id) whose display name changed: others see it in
  // /keys/query, so it is a device-list change.
  using DeviceRenamed = std::function<void(std::string_view, std::string_view)>;

  // REQUIRES: called before the server starts serving.
  void OnProfileChanged(ProfileChanged observer) {
    profile_changed_.push_back(std::move(observer));
  }
  void OnDeactivated(Deactivated observer) {
    deactivated_.push_back(std::move(observer));
  }
  void OnDevicesDeleted(DevicesDeleted observer) {
    devices_deleted_.push_back(std::move(observer));
  }
  void OnDeviceRenamed(DeviceRenamed observer) {
    device_renamed_.push_back(std::move(observer));
  }

  void ProfileChangedFor(std::string_view user_id,
                         const storage::Profile& profile) const {
    for (const auto& observer : profile_changed_) observer(user_id, profile);
  }
  void DeactivatedFor(std::string_view user_id) const {
    for (const auto& observer : deactivated_) observer(user_id);
  }
  void DevicesDeletedFor(std::string_view user_id,
                         const std::vector<std::string>& device_ids) const {
    if (device_ids.empty()) return;
    for (const auto& observer : devices_deleted_) observer(user_id, device_ids);
  }
  void DeviceRenamedFor(std::string_view user_id,
                        std::string_view device_id) const {
    for (const auto& observer : device_renamed_) observer(user_id, device_id);
  }

 private:
  std::vector<ProfileChanged> profile_changed_;
  std::vector<Deactivated> deactivated_;
  std::vector<DevicesDeleted> devices_deleted_;
  std::vector<DeviceRenamed> device_renamed_;
};

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_ACCOUNT_HOOKS_H_
