// POST /keys/device_signing/upload and /keys/signatures/upload (Spec:
// client-server-api, "Cross-signing"; cross_signing.yaml).
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/crypto/json_signing.h"
#include "server/e2ee/key_json.h"
#include "server/e2ee/keys_routes.h"

namespace myelin::e2ee {
namespace {

using http::Request;
using http::Response;
using storage::CrossSigningKind;

struct KindInfo {
  CrossSigningKind kind;
  std::string_view field;  // in the upload body
  std::string_view usage;  // in the key's `usage`
};
constexpr KindInfo kKinds[] = {
    {CrossSigningKind::kMaster, "master_key", "master"},
    {CrossSigningKind::kSelfSigning, "self_signing_key", "self_signing"},
    {CrossSigningKind::kUserSigning, "user_signing_key", "user_signing"},
};

std::string Ed25519Id(std::string_view public_key) {
  return absl::StrCat("ed25519:", AV(public_key));
}

// The stored key of `kind` and its public key; nullopt if none.
struct StoredKey {
  boost::json::object key;
  std::string public_key;
};
absl::StatusOr<std::optional<StoredKey>> LoadKey(const KeysContext& context,
                                                 std::string_view user,
                                                 CrossSigningKind kind) {
  ASSIGN_OR_RETURN(std::optional<std::string> json,
                   context.keys->CrossSigningKey(user, kind));
  if (!json.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(boost::json::object key, ParseStored(*json));
  ASSIGN_OR_RETURN(std::string public_key, CrossSigningPublicKey(key));
  return StoredKey{std::move(key), std::move(public_key)};
}

// --- POST /keys/device_signing/upload ---

struct GivenKey {
  KindInfo info{};
  const boost::json::object* key = nullptr;
  std::string public_key;
  std::string stored;  // StoredForm
};

absl::StatusOr<GivenKey> CheckGivenKey(const KindInfo& info,
                                       const boost::json::value& value,
                                       std::string_view user) {
  if (!value.is_object()) {
    return BadJson(absl::StrCat(AV(info.field), " must be an object"));
  }
  const boost::json::object& key = value.get_object();
  const boost::json::value* owner = key.if_contains("user_id");
  if (owner == nullptr || !owner->is_string() || owner->get_string() != user) {
    return InvalidParam(absl::StrCat(AV(info.field), " must name the caller"));
  }
  const boost::json::value* usage = key.if_contains("usage");
  bool has_usage = false;
  if (usage != nullptr && usage->is_array()) {
    for (const boost::json::value& u : usage->get_array()) {
      has_usage |= u.is_string() && u.get_string() == info.usage;
    }
  }
  if (!has_usage) {
    return InvalidParam(absl::StrCat(AV(info.field), " needs usage ",
                                     AV(info.usage)));
  }
  GivenKey given;
  given.info = info;
  given.key = &key;
  ASSIGN_OR_RETURN(given.public_key, CrossSigningPublicKey(key));
  ASSIGN_OR_RETURN(given.stored, StoredForm(value));
  return given;
}

absl::StatusOr<Response> DeviceSigningUpload(const KeysContext& context,
                                             const Request& r) {
  const boost::json::object& body = r.json.get_object();
  const std::string& user = r.principal.user_id;
  std::vector<GivenKey> given;
  const boost::json::object* master = nullptr;
  for (const KindInfo& info : kKinds) {
    const boost::json::value* value = body.if_contains(info.field);
    if (value == nullptr) continue;
    ASSIGN_OR_RETURN(GivenKey key, CheckGivenKey(info, *value, user));
    if (info.kind == CrossSigningKind::kMaster) master = key.key;
    given.push_back(std::move(key));
  }
  ASSIGN_OR_RETURN(std::optional<StoredKey> stored_master,
                   LoadKey(context, user, CrossSigningKind::kMaster));
  if (master == nullptr && stored_master.has_value()) master = &stored_master->key;
  if (master == nullptr) return MissingParam("No master signing key available");
  ASSIGN_OR_RETURN(std::string master_key, CrossSigningPublicKey(*master));
  for (const GivenKey& key : given) {
    // Spec: the self-signing and user-signing keys must be signed by the
    // master key (the accompanying one, else the stored one).
    if (key.info.kind != CrossSigningKind::kMaster) {
      RETURN_IF_ERROR(VerifySignedBy(*key.key, user, Ed25519Id(master_key),
                                     master_key));
    }
    // Spec: device ids must not collide with cross-signing public keys.
    ASSIGN_OR_RETURN(std::optional<storage::Device> device,
                     context.accounts->store().GetDevice(user, key.public_key));
    if (device.has_value()) return Forbidden("Key ID in use");
  }
  std::vector<std::pair<CrossSigningKind, std::string>> changed;
  for (GivenKey& key : given) {
    ASSIGN_OR_RETURN(std::optional<std::string> current,
                     context.keys->CrossSigningKey(user, key.info.kind));
    if (current != key.stored) changed.emplace_back(key.info.kind, std::move(key.stored));
  }
  // Spec (v1.11): UIA unless there is no master key yet, or the request
  // brings no new key (a retried upload).
  if (stored_master.has_value() && !changed.empty()) {
    RETURN_IF_ERROR(context.accounts->RequirePassword(
        body, user, "device_signing_upload"));
  }
  if (!changed.empty()) {
    RETURN_IF_ERROR(context.keys->SetCrossSigningKeys(user, changed));
  }
  return Response::Json("{}");
}

// --- POST /keys/signatures/upload ---

// The signatures the requester put on `signed`: signatures[requester].
absl::StatusOr<const boost::json::object*> RequesterSignatures(
    const boost::json::object& signed_key, std::string_view requester) {
  const boost::json::value* all = signed_key.if_contains("signatures");
  const boost::json::value* mine =
      all != nullptr && all->is_object() ? all->get_object().if_contains(requester)
                                         : nullptr;
  if (mine == nullptr || !mine->is_object() || mine->get_object().empty()) {
    return InvalidSignature("No signature by the uploader");
  }
  return &mine->get_object();
}

// A signature of `signed_key` by `signer`'s key `public_key`, checked.
absl::StatusOr<storage::KeySignature> Checked(
    const boost::json::object& signed_key, std::string_view target_user,
    std::string_view target_key, std::string_view signer,
    std::string_view public_key, std::string_view key_id) {
  RETURN_IF_ERROR(VerifySignedBy(signed_key, signer, key_id, public_key));
  ASSIGN_OR_RETURN(std::string_view signature,
                   crypto::FindSignature(signed_key, signer, key_id));
  return storage::KeySignature{std::string(target_user), std::string(target_key),
                               std::string(signer), std::string(key_id),
                               std::string(signature)};
}

absl::Status MustMatch(const boost::json::object& stored,
                       const boost::json::object& signed_key) {
  if (!SameSignedContent(stored, signed_key)) {
    return InvalidParam("The signed object differs from the uploaded key");
  }
  return absl::OkStatus();
}

// Spec: one's own devices are signed by one's self-signing key.
absl::Status CheckOwnDevice(const KeysContext& context, const std::string& user,
                            const std::string& device,
                            const boost::json::object& device_keys,
                            const boost::json::object& signed_key,
                            std::vector<storage::KeySignature>* out) {
  RETURN_IF_ERROR(MustMatch(device_keys, signed_key));
  ASSIGN_OR_RETURN(std::optional<StoredKey> self_signing,
                   LoadKey(context, user, CrossSigningKind::kSelfSigning));
  if (!self_signing.has_value()) return InvalidSignature("No self-signing key");
  ASSIGN_OR_RETURN(storage::KeySignature signature,
                   Checked(signed_key, user, device, user,
                           self_signing->public_key,
                           Ed25519Id(self_signing->public_key)));
  out->push_back(std::move(signature));
  return absl::OkStatus();
}

// Spec: one's own master key may be signed by one's devices.
absl::Status CheckOwnMaster(const KeysContext& context, const std::string& user,
                            const StoredKey& master,
                            const boost::json::object& signed_key,
                            std::vector<storage::KeySignature>* out) {
  RETURN_IF_ERROR(MustMatch(master.key, signed_key));
  ASSIGN_OR_RETURN(const boost::json::object* mine,
                   RequesterSignatures(signed_key, user));
  size_t before = out->size();
  for (const auto& [name, unused] : *mine) {
    std::string_view key_id(name.data(), name.size());
    if (!key_id.starts_with("ed25519:") || key_id == Ed25519Id(master.public_key)) {
      continue;  // The master key's own signature is part of the key.
    }
    std::string device(key_id.substr(8));
    ASSIGN_OR_RETURN(std::optional<std::string> json,
                     context.keys->DeviceKeys(user, device));
    if (!json.has_value()) return InvalidSignature("Unknown signing device");
    ASSIGN_OR_RETURN(boost::json::object device_keys, ParseStored(*json));
    ASSIGN_OR_RETURN(std::string device_key, DeviceSigningKey(device_keys, device));
    ASSIGN_OR_RETURN(storage::KeySignature signature,
                     Checked(signed_key, user, master.public_key, user,
                             device_key, key_id));
    out->push_back(std::move(signature));
  }
  if (out->size() == before) return InvalidSignature("No device signature");
  return absl::OkStatus();
}

// Spec: other users' master keys are signed by one's user-signing key.
absl::Status CheckOtherMaster(const KeysContext& context,
                              const std::string& requester,
                              const std::string& user, const StoredKey& master,
                              const boost::json::object& signed_key,
                              std::vector<storage::KeySignature>* out) {
  RETURN_IF_ERROR(MustMatch(master.key, signed_key));
  ASSIGN_OR_RETURN(std::optional<StoredKey> user_signing,
                   LoadKey(context, requester, CrossSigningKind::kUserSigning));
  if (!user_signing.has_value()) return InvalidSignature("No user-signing key");
  ASSIGN_OR_RETURN(storage::KeySignature signature,
                   Checked(signed_key, user, master.public_key, requester,
                           user_signing->public_key,
                           Ed25519Id(user_signing->public_key)));
  out->push_back(std::move(signature));
  return absl::OkStatus();
}

absl::Status CheckSignedKey(const KeysContext& context,
                            const std::string& requester,
                            const std::string& user, const std::string& key_id,
                            const boost::json::value& value,
                            std::vector<storage::KeySignature>* out) {
  if (!value.is_object()) return BadJson("A signed key must be an object");
  const boost::json::object& signed_key = value.get_object();
  if (!IsLocal(context, user)) {
    return InvalidParam("Keys of other servers need federation");
  }
  RETURN_IF_ERROR(RequesterSignatures(signed_key, requester).status());
  if (user == requester) {
    ASSIGN_OR_RETURN(std::optional<std::string> device_json,
                     context.keys->DeviceKeys(user, key_id));
    if (device_json.has_value()) {
      ASSIGN_OR_RETURN(boost::json::object device_keys, ParseStored(*device_json));
      return CheckOwnDevice(context, user, key_id, device_keys, signed_key, out);
    }
  }
  ASSIGN_OR_RETURN(std::optional<StoredKey> master,
                   LoadKey(context, user, CrossSigningKind::kMaster));
  if (!master.has_value() || master->public_key != key_id) {
    return NotFound("Unknown key");
  }
  if (user == requester) {
    return CheckOwnMaster(context, user, *master, signed_key, out);
  }
  return CheckOtherMaster(context, requester, user, *master, signed_key, out);
}

boost::json::object ErrorJson(const absl::Status& status) {
  MatrixErrorView view = MatrixErrorOf(status);
  return {{"errcode", view.errcode}, {"error", view.message}};
}

absl::StatusOr<Response> SignaturesUpload(const KeysContext& context,
                                          const Request& r) {
  const std::string& requester = r.principal.user_id;
  std::vector<storage::KeySignature> accepted;
  boost::json::object failures;
  for (const auto& [user_key, keys] : r.json.get_object()) {
    std::string user(user_key);
    if (!keys.is_object()) return BadJson("Each user's entry must be an object");
    for (const auto& [key_id, signed_key] : keys.get_object()) {
      absl::Status checked = CheckSignedKey(context, requester, user,
                                            std::string(key_id), signed_key,
                                            &accepted);
      if (checked.ok()) continue;
      boost::json::value& of_user = failures[user];
      if (!of_user.is_object()) of_user = boost::json::object();
      of_user.get_object()[key_id] = ErrorJson(checked);
    }
  }
  RETURN_IF_ERROR(context.keys->AddSignatures(accepted));
  return Response::Json(boost::json::serialize(
      boost::json::object{{"failures", std::move(failures)}}));
}

}  // namespace

absl::Status AddCrossSigningRoutes(http::RouteTable* table,
                                   const KeysContext* context) {
  return http::AddUserRoutes<const KeysContext>(
      table, http::ClientPrefixes(), context,
      {{http::Method::kPost, "/keys/device_signing/upload", DeviceSigningUpload},
       {http::Method::kPost, "/keys/signatures/upload", SignaturesUpload}});
}

}  // namespace myelin::e2ee
