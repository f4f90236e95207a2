#include "server/client/account_crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include "absl/strings/str_cat.h"

namespace myelin::client {
namespace {

// sodium_init() is idempotent and thread-safe; call it before first use.
void InitSodium() {
  static const bool kInitialised = sodium_init() >= 0;
  (void)kInitialised;
}

std::string RandomUrlSafe(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(
                      bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the NUL terminator
  return out;
}

}  // namespace

std::string NewAccessToken() { return "myl_at_" + RandomUrlSafe(32); }
std::string NewRefreshToken() { return "myl_rt_" + RandomUrlSafe(32); }
std::string NewOpaqueId() { return RandomUrlSafe(18); }

std::string TokenHash(std::string_view token) {
  unsigned char hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return std::string(reinterpret_cast<const char*>(hash), sizeof(hash));
}

std::string NewDeviceId() {
  InitSodium();
  std::string id(10, 'A');
  for (char& c : id) c = static_cast<char>('A' + randombytes_uniform(26));
  return id;
}

absl::StatusOr<std::string> PasswordHasher::Hash(
    std::string_view password) const {
  InitSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), opslimit_,
                        static_cast<size_t>(memlimit_bytes_)) != 0) {
    return absl::ResourceExhaustedError("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash,
                            std::string_view password) const {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(),
                                  password.size()) == 0;
}

std::string SharedSecretMac(std::string_view secret, std::string_view nonce,
                            std::string_view username,
                            std::string_view password, bool admin,
                            std::string_view user_type) {
  std::string message = absl::StrCat(
      std::string(nonce), std::string(1, '\0'), std::string(username),
      std::string(1, '\0'), std::string(password), std::string(1, '\0'),
      admin ? "admin" : "notadmin");
  if (!user_type.empty()) {
    absl::StrAppend(&message, std::string(1, '\0'), std::string(user_type));
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       mac, &mac_len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < mac_len; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xF]);
  }
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  InitSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace myelin::client
