// SHA-256 (libsodium crypto_hash_sha256). Pure; thread-safe.
#ifndef MYELIN_DAG_CRYPTO_HASH_H_
#define MYELIN_DAG_CRYPTO_HASH_H_

#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace myelin::crypto {

inline constexpr size_t kSha256Bytes = 32;

// The 32-byte raw digest of `data`.
std::string Sha256(std::string_view data);

// SHA-256 of data given piece by piece (streamed media uploads):
//   Sha256Hasher h; h.Update(a); h.Update(b); std::string d = h.Finish();
// Finish() gives the same digest as Sha256(a + b); call it once.
class Sha256Hasher {
 public:
  Sha256Hasher();
  void Update(std::string_view piece);
  std::string Finish();  // The 32-byte raw digest.

 private:
  crypto_hash_sha256_state state_;
};

}  // namespace myelin::crypto

#endif  // MYELIN_DAG_CRYPTO_HASH_H_
