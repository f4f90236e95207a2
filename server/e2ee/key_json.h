// Checks and conversions of the JSON key objects of end-to-end encryption
// (Spec: client-server-api, "Key algorithms", "Cross-signing"; appendices,
// "Signing JSON"), shared by the key handlers. Pure; thread-safe.
#ifndef MYELIN_SERVER_E2EE_KEY_JSON_H_
#define MYELIN_SERVER_E2EE_KEY_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "storage/e2ee/key_store.h"

namespace myelin::e2ee {

// 400 M_INVALID_SIGNATURE.
absl::Status InvalidSignature(std::string_view message);

// How a key is stored: canonical JSON without `unsigned` (the server adds
// its own when serving). M_BAD_JSON if it cannot be canonicalised.
absl::StatusOr<std::string> StoredForm(const boost::json::value& key);
// A stored key object back. DataLoss if it is not one.
absl::StatusOr<boost::json::object> ParseStored(std::string_view json);

// Whether two key objects are the same key: equal apart from their
// `signatures` and `unsigned` (what a signature covers).
bool SameSignedContent(const boost::json::object& a,
                       const boost::json::object& b);

// The Base64 public key of a CrossSigningKey: `keys` has exactly one
// member "ed25519:<key>" whose value is <key>, 32 bytes once decoded.
// M_INVALID_PARAM otherwise.
absl::StatusOr<std::string> CrossSigningPublicKey(
    const boost::json::object& key);

// The device's Base64 ed25519 key, keys["ed25519:<device_id>"].
// M_INVALID_PARAM if absent or not 32 bytes.
absl::StatusOr<std::string> DeviceSigningKey(
    const boost::json::object& device_keys, std::string_view device_id);

// OK when signatures[user_id][key_id] is a valid signature of `object` by
// the Base64 ed25519 `public_key`; M_INVALID_SIGNATURE otherwise.
absl::Status VerifySignedBy(const boost::json::object& object,
                            std::string_view user_id, std::string_view key_id,
                            std::string_view public_key);

// Adds the stored signatures `viewer` may see to `key` (Spec:
// "Cross-signing", "Key and signature security": signatures by the key
// owner's own keys, and the viewer's own; never a third user's
// user-signing key signatures).
absl::Status MergeSignatures(boost::json::object& key,
                             const std::vector<storage::KeySignature>& stored,
                             std::string_view owner, std::string_view viewer);

}  // namespace myelin::e2ee

#endif  // MYELIN_SERVER_E2EE_KEY_JSON_H_
