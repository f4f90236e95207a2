// Keys of the end-to-end encryption families (storage/FORMAT.md,
// "End-to-end encryption keys"). Spec: client-server-api, "End-to-End
// Encryption".
#ifndef MYELIN_STORAGE_KEYS_E2EE_KEYS_H_
#define MYELIN_STORAGE_KEYS_E2EE_KEYS_H_

#include <cstdint>
#include <string>

#include "storage/keys/codec.h"

namespace myelin::storage::keys {

// `userdevice_devicekeys`: (user id, device id). A prefix scan on the user
// id lists every device of the user that uploaded keys.
using DeviceKeysKey = Key<std::string, std::string>;

// `userdevice_onetimekeys`: (user id, device id, algorithm, upload number,
// key id). The upload number counts the device's uploads (1 + the largest
// one stored), so the first key under (user, device, algorithm) is the
// oldest: Spec, POST /keys/claim — "One-time keys are given out in the
// order that they were uploaded".
using OneTimeKeyKey =
    Key<std::string, std::string, std::string, uint64_t, std::string>;

// `userdevice_fallbackkeys`: (user id, device id, algorithm); one key per
// algorithm.
using FallbackKeyKey = Key<std::string, std::string, std::string>;
// Its value: (used: 0 or 1, key id, the key as canonical JSON).
using FallbackKeyValue = Key<uint8_t, std::string, std::string>;

// `userid_crosssigningkeys`: (user id, CrossSigningKind as u8).
using CrossSigningKeyKey = Key<std::string, uint8_t>;

// `keyid_signatures`: (target user id, target key: a device id or a master
// key's unpadded Base64 public key, signer user id, signer key id such as
// "ed25519:<public key>"). A prefix scan on (target user, target key)
// lists every signature uploaded for that key.
using KeySignatureKey = Key<std::string, std::string, std::string, std::string>;

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_E2EE_KEYS_H_
