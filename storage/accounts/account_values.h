// Value encodings of the account families: Cap'n Proto for accounts,
// devices and sessions (accounts.capnp), a JSON object for profiles,
// big-endian u64 for registration-token uses. Decoding never trusts its
// input: malformed bytes give DataLoss, never a crash.
#ifndef MYELIN_STORAGE_ACCOUNTS_ACCOUNT_VALUES_H_
#define MYELIN_STORAGE_ACCOUNTS_ACCOUNT_VALUES_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "storage/accounts/account_store.h"

namespace myelin::storage {

std::string EncodeAccount(const Account& account);
absl::StatusOr<Account> DecodeAccount(std::string_view bytes);

// The device id is the key's; it is not repeated in the value.
std::string EncodeDevice(const Device& device);
absl::StatusOr<Device> DecodeDevice(std::string_view device_id,
                                    std::string_view bytes);

std::string EncodeSession(const Session& session);
absl::StatusOr<Session> DecodeSession(std::string_view bytes);

std::string EncodeProfile(const Profile& profile);
absl::StatusOr<Profile> DecodeProfile(std::string_view bytes);

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_ACCOUNTS_ACCOUNT_VALUES_H_
