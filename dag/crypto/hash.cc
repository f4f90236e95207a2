#include "dag/crypto/hash.h"

#include <sodium.h>

namespace myelin::crypto {

std::string Sha256(std::string_view data) {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()),
                     reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return digest;
}

Sha256Hasher::Sha256Hasher() { crypto_hash_sha256_init(&state_); }

void Sha256Hasher::Update(std::string_view piece) {
  crypto_hash_sha256_update(
      &state_, reinterpret_cast<const unsigned char*>(piece.data()),
      piece.size());
}

std::string Sha256Hasher::Finish() {
  std::string digest(crypto_hash_sha256_BYTES, '\0');
  crypto_hash_sha256_final(&state_,
                           reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace myelin::crypto
