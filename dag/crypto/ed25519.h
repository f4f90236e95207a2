// Ed25519 signing keys and verification (libsodium, RFC 8032).
//
// Key material is raw bytes: a 32-byte seed, a 32-byte public key and
// 64-byte signatures; Base64 belongs to the callers (dag/crypto/base64.h).
// Generating a fresh seed needs the OS random source, which dag/ does not
// touch: callers pass a seed from randombytes_buf() or a key file.
// Thread-safe: Ed25519KeyPair is immutable after construction.
#ifndef MYELIN_DAG_CRYPTO_ED25519_H_
#define MYELIN_DAG_CRYPTO_ED25519_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::crypto {

inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

class Ed25519KeyPair {
 public:
  // Derives the key pair from a 32-byte seed (libsodium
  // crypto_sign_seed_keypair). M_INVALID_PARAM if the seed has another size.
  static absl::StatusOr<Ed25519KeyPair> FromSeed(std::string_view seed);

  Ed25519KeyPair(const Ed25519KeyPair&) = default;
  Ed25519KeyPair& operator=(const Ed25519KeyPair&) = default;
  ~Ed25519KeyPair();

  // The 64-byte detached signature of `message`.
  std::string Sign(std::string_view message) const;

  // 32 raw bytes.
  std::string_view public_key() const;
  std::string_view seed() const;

 private:
  Ed25519KeyPair() = default;

  // libsodium's secret key is seed || public key.
  std::array<unsigned char, 64> secret_key_{};
  std::array<unsigned char, kEd25519PublicKeyBytes> public_key_{};
};

// True when `signature` (64 bytes) is a valid signature of `message` by
// `public_key` (32 bytes). Wrong sizes are simply invalid.
bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature);

}  // namespace myelin::crypto

#endif  // MYELIN_DAG_CRYPTO_ED25519_H_
