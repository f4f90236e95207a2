#include "server/e2ee/key_json.h"

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/crypto/base64.h"
#include "dag/crypto/ed25519.h"
#include "dag/crypto/json_signing.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"

namespace myelin::e2ee {
namespace {

// 32 raw bytes from Base64, or M_INVALID_PARAM.
absl::StatusOr<std::string> Ed25519Bytes(std::string_view base64) {
  absl::StatusOr<std::string> raw = crypto::DecodeBase64(base64);
  if (!raw.ok() || raw->size() != crypto::kEd25519PublicKeyBytes) {
    return InvalidParam("An ed25519 key must be 32 bytes of unpadded Base64");
  }
  return raw;
}

}  // namespace

absl::Status InvalidSignature(std::string_view message) {
  return MatrixError(400, errcode::kInvalidSignature, message);
}

absl::StatusOr<std::string> StoredForm(const boost::json::value& key) {
  if (!key.is_object()) return json::EncodeCanonicalJson(key);
  return json::EncodeCanonicalJsonWithout(key.get_object(), {"unsigned"});
}

absl::StatusOr<boost::json::object> ParseStored(std::string_view json) {
  absl::StatusOr<boost::json::object> object = json::ParseJsonObject(json);
  if (!object.ok()) return absl::DataLossError("stored key is not an object");
  return object;
}

bool SameSignedContent(const boost::json::object& a,
                       const boost::json::object& b) {
  absl::StatusOr<std::string> signed_a = crypto::SignedBytes(a);
  absl::StatusOr<std::string> signed_b = crypto::SignedBytes(b);
  return signed_a.ok() && signed_b.ok() && *signed_a == *signed_b;
}

absl::StatusOr<std::string> CrossSigningPublicKey(
    const boost::json::object& key) {
  const boost::json::value* keys = key.if_contains("keys");
  if (keys == nullptr || !keys->is_object() || keys->get_object().size() != 1) {
    return InvalidParam("A cross-signing key must have exactly one key");
  }
  const auto& [name, value] = *keys->get_object().begin();
  std::string_view id(name.data(), name.size());
  if (!id.starts_with("ed25519:") || !value.is_string() ||
      id.substr(8) != std::string_view(value.get_string())) {
    return InvalidParam("A cross-signing key must be \"ed25519:<key>\": \"<key>\"");
  }
  RETURN_IF_ERROR(Ed25519Bytes(id.substr(8)).status());
  return std::string(id.substr(8));
}

absl::StatusOr<std::string> DeviceSigningKey(
    const boost::json::object& device_keys, std::string_view device_id) {
  const boost::json::value* keys = device_keys.if_contains("keys");
  const boost::json::value* key =
      keys != nullptr && keys->is_object()
          ? keys->get_object().if_contains(absl::StrCat("ed25519:", AV(device_id)))
          : nullptr;
  if (key == nullptr || !key->is_string()) {
    return InvalidParam("Device keys need the device's ed25519 key");
  }
  std::string base64(key->get_string());
  RETURN_IF_ERROR(Ed25519Bytes(base64).status());
  return base64;
}

absl::Status VerifySignedBy(const boost::json::object& object,
                            std::string_view user_id, std::string_view key_id,
                            std::string_view public_key) {
  absl::StatusOr<std::string> raw = Ed25519Bytes(public_key);
  if (!raw.ok()) return InvalidSignature("Bad signing key");
  absl::Status verified =
      crypto::VerifyJsonSignature(object, user_id, key_id, *raw);
  if (!verified.ok()) {
    return InvalidSignature(absl::StrCat("Invalid signature by ", AV(user_id),
                                         " with ", AV(key_id)));
  }
  return absl::OkStatus();
}

absl::Status MergeSignatures(boost::json::object& key,
                             const std::vector<storage::KeySignature>& stored,
                             std::string_view owner, std::string_view viewer) {
  for (const storage::KeySignature& s : stored) {
    if (s.signer_user != owner && s.signer_user != viewer) continue;
    RETURN_IF_ERROR(crypto::AddSignature(key, s.signer_user, s.signer_key_id,
                                         s.signature));
  }
  return absl::OkStatus();
}

}  // namespace myelin::e2ee
