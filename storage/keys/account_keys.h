// Keys of the account families (storage/FORMAT.md, "Accounts").
#ifndef MYELIN_STORAGE_KEYS_ACCOUNT_KEYS_H_
#define MYELIN_STORAGE_KEYS_ACCOUNT_KEYS_H_

#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `localpart_account`: the user id's localpart.
using AccountKey = Key<std::string>;
// `userid_devices`: (user id, device id); a prefix scan on the user id
// lists a user's devices.
using DeviceKey = Key<std::string, std::string>;
// `tokenhash_session`: SHA-256 of an access or refresh token (32 bytes).
// Only the hash is stored, so a copy of the database grants no access.
using TokenHashKey = Key<std::string>;
// `userid_profile`: the full user id.
using ProfileKey = Key<std::string>;
// `regtoken_uses`: a registration token from the config.
using RegistrationTokenKey = Key<std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_ACCOUNT_KEYS_H_
