// The secrets of accounts: access/refresh tokens and their hashes, device
// and session ids, argon2id password hashes, and the HMAC-SHA1 of
// Synapse's shared-secret registration.
//
// Thread safety: everything here is stateless or immutable after
// construction, and safe from any thread.
#ifndef MYELIN_SERVER_CLIENT_ACCOUNT_CRYPTO_H_
#define MYELIN_SERVER_CLIENT_ACCOUNT_CRYPTO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::client {

// "myl_at_<43 chars>" / "myl_rt_<43 chars>": 256 random bits, URL-safe
// base64. The prefix tells a leaked token's kind in logs and secret scans.
std::string NewAccessToken();
std::string NewRefreshToken();
// The SHA-256 of a token (32 raw bytes): what the database stores.
std::string TokenHash(std::string_view token);
// Ten upper-case letters, like Synapse's device ids.
std::string NewDeviceId();
// 24 URL-safe characters, for UIA sessions and nonces.
std::string NewOpaqueId();

// argon2id via libsodium's crypto_pwhash_str, with a configurable cost.
class PasswordHasher {
 public:
  PasswordHasher(uint64_t opslimit, uint64_t memlimit_bytes)
      : opslimit_(opslimit), memlimit_bytes_(memlimit_bytes) {}
  // ResourceExhausted when the memory cannot be had.
  absl::StatusOr<std::string> Hash(std::string_view password) const;
  // False for a wrong password or a malformed (or empty) hash.
  bool Verify(std::string_view hash, std::string_view password) const;

 private:
  uint64_t opslimit_;
  uint64_t memlimit_bytes_;
};

// Synapse's shared-secret registration MAC: lower-case hex HMAC-SHA1, keyed
// by the secret, over nonce NUL username NUL password NUL ("admin" |
// "notadmin"), then NUL user_type when one is given.
std::string SharedSecretMac(std::string_view secret, std::string_view nonce,
                            std::string_view username,
                            std::string_view password, bool admin,
                            std::string_view user_type);

// Constant-time comparison of two strings (lengths may leak).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_ACCOUNT_CRYPTO_H_
