#include "dag/crypto/ed25519.h"

#include <sodium.h>

#include <cstdlib>

#include "dag/base/matrix_error.h"

namespace myelin::crypto {
namespace {

// sodium_init() selects the fastest implementations; it is idempotent and
// thread-safe, and only fails when the library is unusable.
void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();  // Can't happen after start-up: no usable libsodium.
}

const unsigned char* U(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

absl::StatusOr<Ed25519KeyPair> Ed25519KeyPair::FromSeed(std::string_view seed) {
  if (seed.size() != kEd25519SeedBytes) {
    return InvalidParam("Ed25519 seed must be 32 bytes");
  }
  EnsureSodium();
  Ed25519KeyPair pair;
  crypto_sign_seed_keypair(pair.public_key_.data(), pair.secret_key_.data(),
                           U(seed));
  return pair;
}

Ed25519KeyPair::~Ed25519KeyPair() {
  sodium_memzero(secret_key_.data(), secret_key_.size());
}

std::string Ed25519KeyPair::Sign(std::string_view message) const {
  std::string sig(kEd25519SignatureBytes, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       U(message), message.size(), secret_key_.data());
  return sig;
}

std::string_view Ed25519KeyPair::public_key() const {
  return {reinterpret_cast<const char*>(public_key_.data()),
          public_key_.size()};
}

std::string_view Ed25519KeyPair::seed() const {
  return {reinterpret_cast<const char*>(secret_key_.data()),
          kEd25519SeedBytes};
}

bool VerifyEd25519(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes ||
      signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  EnsureSodium();
  return crypto_sign_verify_detached(U(signature), U(message), message.size(),
                                     U(public_key)) == 0;
}

}  // namespace myelin::crypto
