#include "dag/crypto/json_signing.h"

#include <utility>

#include "absl/strings/str_format.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/crypto/base64.h"

namespace myelin::crypto {
namespace {

absl::Status Unauthorized(std::string_view message) {
  return MatrixError(401, errcode::kUnauthorized, message);
}

// signatures[server_name], created if missing.
absl::StatusOr<boost::json::object*> SignaturesFor(boost::json::object& object,
                                                   std::string_view server) {
  boost::json::value& all = object["signatures"];
  if (all.is_null()) all.emplace_object();
  if (!all.is_object()) return BadJson("\"signatures\" must be an object");
  boost::json::value& mine = all.as_object()[server];
  if (mine.is_null()) mine.emplace_object();
  if (!mine.is_object()) return BadJson("\"signatures\" entry must be an object");
  return &mine.as_object();
}

}  // namespace

absl::StatusOr<std::string> SignedBytes(const boost::json::object& object,
                                        json::JsonStrictness strictness) {
  return json::EncodeCanonicalJsonWithout(object, {"signatures", "unsigned"},
                                          strictness);
}

absl::StatusOr<boost::json::object> SignJson(boost::json::object object,
                                             std::string_view server_name,
                                             std::string_view key_id,
                                             const Ed25519KeyPair& key,
                                             json::JsonStrictness strictness) {
  ASSIGN_OR_RETURN(std::string bytes, SignedBytes(object, strictness));
  RETURN_IF_ERROR(AddSignature(object, server_name, key_id,
                               EncodeBase64(key.Sign(bytes))));
  return object;
}

absl::Status AddSignature(boost::json::object& object,
                          std::string_view server_name, std::string_view key_id,
                          std::string signature_base64) {
  ASSIGN_OR_RETURN(boost::json::object * sigs,
                   SignaturesFor(object, server_name));
  (*sigs)[key_id] = std::move(signature_base64);
  return absl::OkStatus();
}

absl::StatusOr<std::string_view> FindSignature(
    const boost::json::object& object, std::string_view server_name,
    std::string_view key_id) {
  const boost::json::value* all = object.if_contains("signatures");
  if (all == nullptr) return Unauthorized("Event has no signatures");
  if (!all->is_object()) return BadJson("\"signatures\" must be an object");
  const boost::json::value* mine = all->as_object().if_contains(server_name);
  if (mine == nullptr) {
    return Unauthorized(
        absl::StrFormat("No signature from server %s", server_name));
  }
  if (!mine->is_object()) return BadJson("\"signatures\" entry must be an object");
  const boost::json::value* sig = mine->as_object().if_contains(key_id);
  if (sig == nullptr) {
    return Unauthorized(absl::StrFormat("No signature from %s with key %s",
                                        server_name, key_id));
  }
  if (!sig->is_string()) return BadJson("Signature must be a string");
  return std::string_view(sig->as_string());
}

absl::Status VerifyJsonSignature(const boost::json::object& object,
                                 std::string_view server_name,
                                 std::string_view key_id,
                                 std::string_view public_key,
                                 json::JsonStrictness strictness) {
  ASSIGN_OR_RETURN(std::string_view sig_b64,
                   FindSignature(object, server_name, key_id));
  absl::StatusOr<std::string> sig = DecodeBase64(sig_b64);
  if (!sig.ok()) return Unauthorized("Signature is not valid base64");
  ASSIGN_OR_RETURN(std::string bytes, SignedBytes(object, strictness));
  if (!VerifyEd25519(public_key, bytes, *sig)) {
    return Unauthorized(absl::StrFormat("Invalid signature from %s with key %s",
                                        server_name, key_id));
  }
  return absl::OkStatus();
}

}  // namespace myelin::crypto
