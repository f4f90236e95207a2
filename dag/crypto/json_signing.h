// Signing and verifying JSON objects. Spec: appendices, "Signing JSON" >
// "Signing Details" and "Checking for a Signature".
//
// The signed bytes are the canonical JSON of the object without its
// top-level "signatures" and "unsigned" members. Signatures live at
// object["signatures"][server_name][key_id] as unpadded standard Base64;
// signatures by other servers or keys are preserved.
//
// Pure; thread-safe. Errors: M_BAD_JSON for JSON that cannot be canonicalised
// or a malformed "signatures" member; M_UNAUTHORIZED (HTTP 401) for a missing
// or invalid signature.
#ifndef MYELIN_DAG_CRYPTO_JSON_SIGNING_H_
#define MYELIN_DAG_CRYPTO_JSON_SIGNING_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "boost/json/object.hpp"
#include "dag/crypto/ed25519.h"
#include "dag/json/canonical.h"

namespace myelin::crypto {

// The bytes a signature over `object` covers.
absl::StatusOr<std::string> SignedBytes(
    const boost::json::object& object,
    json::JsonStrictness strictness = json::JsonStrictness::kStrict);

// Returns `object` with a signature by `key` added under
// signatures[server_name][key_id]. `key_id` is e.g. "ed25519:1".
absl::StatusOr<boost::json::object> SignJson(
    boost::json::object object, std::string_view server_name,
    std::string_view key_id, const Ed25519KeyPair& key,
    json::JsonStrictness strictness = json::JsonStrictness::kStrict);

// OK when signatures[server_name][key_id] is a valid signature of `object`
// by `public_key` (32 raw bytes).
absl::Status VerifyJsonSignature(
    const boost::json::object& object, std::string_view server_name,
    std::string_view key_id, std::string_view public_key,
    json::JsonStrictness strictness = json::JsonStrictness::kStrict);

// Sets object["signatures"][server_name][key_id] = signature_base64,
// keeping every other signature. M_BAD_JSON if "signatures" is malformed.
absl::Status AddSignature(boost::json::object& object,
                          std::string_view server_name, std::string_view key_id,
                          std::string signature_base64);

// The Base64 signature at signatures[server_name][key_id], or an error
// (M_UNAUTHORIZED when absent, M_BAD_JSON when malformed).
absl::StatusOr<std::string_view> FindSignature(
    const boost::json::object& object, std::string_view server_name,
    std::string_view key_id);

}  // namespace myelin::crypto

#endif  // MYELIN_DAG_CRYPTO_JSON_SIGNING_H_
