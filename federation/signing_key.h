// The server's ed25519 signing key (Spec: server-server-api, "Server
// implementation" and appendices "Signing Details").
//
// Stored as one line "ed25519 <key version> <unpadded base64 seed>", the
// format Synapse uses, so keys move between servers. LoadOrCreateSigningKey()
// creates the file (mode 0600, written atomically) on first start.
#ifndef MYELIN_FEDERATION_SIGNING_KEY_H_
#define MYELIN_FEDERATION_SIGNING_KEY_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "dag/crypto/ed25519.h"

namespace myelin::federation {

struct SigningKey {
  std::string version;  // "a_AbCd"
  crypto::Ed25519KeyPair key_pair;
  // "ed25519:a_AbCd"
  std::string KeyId() const { return "ed25519:" + version; }
};

// Parses the file's text. Errors name the problem (bad algorithm, version
// characters, base64, seed length).
absl::StatusOr<SigningKey> ParseSigningKey(std::string_view text);

// The file's text for `key`.
std::string FormatSigningKey(const SigningKey& key);

// Reads `path`, or creates a fresh key there when the file does not exist.
absl::StatusOr<SigningKey> LoadOrCreateSigningKey(const std::string& path);

}  // namespace myelin::federation

#endif  // MYELIN_FEDERATION_SIGNING_KEY_H_
