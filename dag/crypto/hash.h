// SHA-256 (libsodium crypto_hash_sha256). Pure; thread-safe.
#ifndef MYELIN_DAG_CRYPTO_HASH_H_
#define MYELIN_DAG_CRYPTO_HASH_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace myelin::crypto {

inline constexpr size_t kSha256Bytes = 32;

// The 32-byte raw digest of `data`.
std::string Sha256(std::string_view data);

}  // namespace myelin::crypto

#endif  // MYELIN_DAG_CRYPTO_HASH_H_
