// POST /keys/upload, /keys/query, /keys/claim and GET /keys/changes
// (Spec: client-server-api, "Key management API"; keys.yaml).
#include "server/e2ee/keys_routes.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/json/parse.h"
#include "dag/pdu/pdu.h"
#include "server/e2ee/key_json.h"
#include "server/sync/device_lists.h"
#include "server/sync/sync_token.h"

namespace myelin::e2ee {
namespace {

using http::Request;
using http::Response;
using storage::CrossSigningKind;

absl::StatusOr<const boost::json::object*> OptionalObject(
    const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) {
    return BadJson(absl::StrCat(AV(key), " must be an object"));
  }
  return &value->get_object();
}

// "<algorithm>:<key id>", both non-empty.
absl::StatusOr<std::pair<std::string, std::string>> SplitKeyName(
    std::string_view name) {
  size_t colon = name.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == name.size()) {
    return InvalidParam(absl::StrCat("Key name ", AV(name),
                                     " is not <algorithm>:<key id>"));
  }
  return std::make_pair(std::string(name.substr(0, colon)),
                        std::string(name.substr(colon + 1)));
}

// Spec: "Uploading keys" — the device keys must name the caller's user and
// device and be signed by the device's own ed25519 key.
absl::StatusOr<std::string> CheckDeviceKeys(const Request& r,
                                            const boost::json::object& keys) {
  const boost::json::value* user = keys.if_contains("user_id");
  const boost::json::value* device = keys.if_contains("device_id");
  if (user == nullptr || !user->is_string() ||
      user->get_string() != r.principal.user_id || device == nullptr ||
      !device->is_string() || device->get_string() != r.principal.device_id) {
    return InvalidParam("device_keys must name the caller's user and device");
  }
  const boost::json::value* algorithms = keys.if_contains("algorithms");
  if (algorithms == nullptr || !algorithms->is_array()) {
    return BadJson("device_keys.algorithms must be a list");
  }
  for (const boost::json::value& algorithm : algorithms->get_array()) {
    if (!algorithm.is_string()) return BadJson("algorithms must be strings");
  }
  const boost::json::value* key_map = keys.if_contains("keys");
  if (key_map == nullptr || !key_map->is_object()) {
    return BadJson("device_keys.keys must be an object");
  }
  for (const auto& [name, value] : key_map->get_object()) {
    if (!value.is_string()) return BadJson("device_keys.keys must be strings");
  }
  ASSIGN_OR_RETURN(std::string signing_key,
                   DeviceSigningKey(keys, r.principal.device_id));
  RETURN_IF_ERROR(VerifySignedBy(keys, r.principal.user_id,
                                 absl::StrCat("ed25519:", r.principal.device_id),
                                 signing_key));
  return StoredForm(keys);
}

template <typename Key>
absl::Status ParseKeyMap(const boost::json::object& map, std::vector<Key>* out) {
  for (const auto& [name, value] : map) {
    ASSIGN_OR_RETURN(auto parts, SplitKeyName(std::string_view(name)));
    if (!value.is_string() && !value.is_object()) {
      return BadJson("A key must be a string or an object");
    }
    ASSIGN_OR_RETURN(std::string json, StoredForm(value));
    Key key;
    key.algorithm = std::move(parts.first);
    key.key_id = std::move(parts.second);
    key.json = std::move(json);
    out->push_back(std::move(key));
  }
  return absl::OkStatus();
}

boost::json::object CountsJson(const storage::KeyStore::KeyCounts& counts) {
  // signed_curve25519 always (as Synapse): some clients only upload
  // one-time keys when they see its count.
  boost::json::object json{{"signed_curve25519", 0}};
  for (const auto& [algorithm, count] : counts) json[algorithm] = count;
  return json;
}

absl::StatusOr<Response> Upload(const KeysContext& context, const Request& r) {
  if (r.principal.device_id.empty()) return Forbidden("Keys belong to a device");
  const boost::json::object& body = r.json.get_object();
  storage::KeyUpload upload;
  ASSIGN_OR_RETURN(const boost::json::object* device_keys,
                   OptionalObject(body, "device_keys"));
  if (device_keys != nullptr) {
    ASSIGN_OR_RETURN(upload.device_keys, CheckDeviceKeys(r, *device_keys));
  }
  ASSIGN_OR_RETURN(const boost::json::object* one_time,
                   OptionalObject(body, "one_time_keys"));
  if (one_time != nullptr) {
    RETURN_IF_ERROR(ParseKeyMap(*one_time, &upload.one_time_keys));
  }
  ASSIGN_OR_RETURN(const boost::json::object* fallback,
                   OptionalObject(body, "fallback_keys"));
  if (fallback != nullptr) {
    RETURN_IF_ERROR(ParseKeyMap(*fallback, &upload.fallback_keys));
  }
  ASSIGN_OR_RETURN(storage::KeyStore::KeyCounts counts,
                   context.keys->Upload(r.principal.user_id,
                                        r.principal.device_id, upload));
  return Response::Json(boost::json::serialize(
      boost::json::object{{"one_time_key_counts", CountsJson(counts)}}));
}

// --- POST /keys/query ---

// Device keys as served: with the display name and the signatures the
// requester may see.
absl::StatusOr<boost::json::object> ServedDeviceKeys(
    const KeysContext& context, const std::string& user,
    const std::string& device, std::string_view json, std::string_view viewer) {
  ASSIGN_OR_RETURN(boost::json::object keys, ParseStored(json));
  ASSIGN_OR_RETURN(std::vector<storage::KeySignature> signatures,
                   context.keys->SignaturesOf(user, device));
  RETURN_IF_ERROR(MergeSignatures(keys, signatures, user, viewer));
  ASSIGN_OR_RETURN(std::optional<storage::Device> account_device,
                   context.accounts->store().GetDevice(user, device));
  boost::json::object unsigned_info;
  if (account_device.has_value() && !account_device->display_name.empty()) {
    unsigned_info["device_display_name"] = account_device->display_name;
  }
  keys["unsigned"] = std::move(unsigned_info);
  return keys;
}

absl::StatusOr<boost::json::object> DevicesOf(const KeysContext& context,
                                              const std::string& user,
                                              const boost::json::array& wanted,
                                              std::string_view viewer) {
  std::vector<std::pair<std::string, std::string>> found;
  if (wanted.empty()) {
    ASSIGN_OR_RETURN(found, context.keys->AllDeviceKeys(user));
  } else {
    for (const boost::json::value& device : wanted) {
      if (!device.is_string()) return BadJson("Device ids must be strings");
      std::string id(device.get_string());
      ASSIGN_OR_RETURN(std::optional<std::string> json,
                       context.keys->DeviceKeys(user, id));
      if (json.has_value()) found.emplace_back(std::move(id), std::move(*json));
    }
  }
  boost::json::object devices;
  for (const auto& [device, json] : found) {
    ASSIGN_OR_RETURN(devices[device],
                     ServedDeviceKeys(context, user, device, json, viewer));
  }
  return devices;
}

// The user's cross-signing key of `kind` as served, nullopt if none. The
// master key carries the uploaded signatures the viewer may see.
absl::StatusOr<std::optional<boost::json::object>> ServedCrossSigningKey(
    const KeysContext& context, const std::string& user, CrossSigningKind kind,
    std::string_view viewer) {
  ASSIGN_OR_RETURN(std::optional<std::string> json,
                   context.keys->CrossSigningKey(user, kind));
  if (!json.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(boost::json::object key, ParseStored(*json));
  if (kind == CrossSigningKind::kMaster) {
    ASSIGN_OR_RETURN(std::string public_key, CrossSigningPublicKey(key));
    ASSIGN_OR_RETURN(std::vector<storage::KeySignature> signatures,
                     context.keys->SignaturesOf(user, public_key));
    RETURN_IF_ERROR(MergeSignatures(key, signatures, user, viewer));
  }
  return key;
}

absl::StatusOr<Response> Query(const KeysContext& context, const Request& r) {
  const boost::json::value* wanted = r.json.get_object().if_contains("device_keys");
  if (wanted == nullptr) return MissingParam("device_keys is required");
  if (!wanted->is_object()) return BadJson("device_keys must be an object");
  const std::string& viewer = r.principal.user_id;
  boost::json::object device_keys, master_keys, self_signing_keys,
      user_signing_keys, failures;
  for (const auto& [user_key, devices] : wanted->get_object()) {
    std::string user(user_key);
    if (!devices.is_array()) return BadJson("device_keys values must be lists");
    if (!IsLocal(context, user)) {
      failures[std::string(ServerNameOf(user))] = Unreachable();
      continue;
    }
    ASSIGN_OR_RETURN(device_keys[user],
                     DevicesOf(context, user, devices.get_array(), viewer));
    struct Kind {
      CrossSigningKind kind;
      boost::json::object* into;
    };
    for (const Kind& kind : {Kind{CrossSigningKind::kMaster, &master_keys},
                             Kind{CrossSigningKind::kSelfSigning, &self_signing_keys},
                             Kind{CrossSigningKind::kUserSigning, &user_signing_keys}}) {
      // Spec: the user-signing key only for the requester themselves.
      if (kind.kind == CrossSigningKind::kUserSigning && user != viewer) continue;
      ASSIGN_OR_RETURN(std::optional<boost::json::object> key,
                       ServedCrossSigningKey(context, user, kind.kind, viewer));
      if (key.has_value()) (*kind.into)[user] = std::move(*key);
    }
  }
  return Response::Json(boost::json::serialize(boost::json::object{
      {"device_keys", std::move(device_keys)},
      {"master_keys", std::move(master_keys)},
      {"self_signing_keys", std::move(self_signing_keys)},
      {"user_signing_keys", std::move(user_signing_keys)},
      {"failures", std::move(failures)}}));
}

// --- POST /keys/claim ---

absl::StatusOr<Response> Claim(const KeysContext& context, const Request& r) {
  const boost::json::value* wanted =
      r.json.get_object().if_contains("one_time_keys");
  if (wanted == nullptr) return MissingParam("one_time_keys is required");
  if (!wanted->is_object()) return BadJson("one_time_keys must be an object");
  boost::json::object claimed, failures;
  for (const auto& [user_key, devices] : wanted->get_object()) {
    std::string user(user_key);
    if (!devices.is_object()) return BadJson("one_time_keys values must be objects");
    if (!IsLocal(context, user)) {
      failures[std::string(ServerNameOf(user))] = Unreachable();
      continue;
    }
    boost::json::object of_user;
    for (const auto& [device, algorithm] : devices.get_object()) {
      if (!algorithm.is_string()) return BadJson("Algorithms must be strings");
      ASSIGN_OR_RETURN(std::optional<storage::ClaimedKey> key,
                       context.keys->Claim(user, std::string_view(device),
                                           std::string_view(algorithm.get_string())));
      if (!key.has_value()) continue;
      absl::StatusOr<boost::json::value> value = json::ParseJson(key->key.json);
      if (!value.ok()) return absl::DataLossError("stored one-time key");
      of_user[device] = boost::json::object{
          {absl::StrCat(key->key.algorithm, ":", key->key.key_id),
           std::move(*value)}};
    }
    if (!of_user.empty()) claimed[user] = std::move(of_user);
  }
  return Response::Json(boost::json::serialize(boost::json::object{
      {"one_time_keys", std::move(claimed)}, {"failures", std::move(failures)}}));
}

// --- GET /keys/changes ---

absl::StatusOr<Response> Changes(const KeysContext& context, const Request& r) {
  if (r.Query("from").empty()) return MissingParam("from is required");
  ASSIGN_OR_RETURN(sync::SyncToken from, sync::ParseSyncToken(r.Query("from")));
  sync::SyncToken to;
  if (r.Query("to").empty()) {
    to.events = context.events->stream().Published();
    to.device_lists = context.keys->DeviceListStream();
  } else {
    ASSIGN_OR_RETURN(to, sync::ParseSyncToken(r.Query("to")));
  }
  // Never past what is committed (a `to` from the future is a hint only).
  to.events = std::min(to.events, context.events->stream().Published());
  to.device_lists = std::min(to.device_lists, context.keys->DeviceListStream());
  sync::DeviceListRange range{from.events, to.events, from.device_lists,
                              to.device_lists};
  ASSIGN_OR_RETURN(sync::DeviceListDelta delta,
                   sync::DeviceListChanges(*context.events, *context.keys,
                                           r.principal.user_id, range));
  boost::json::array changed, left;
  for (const std::string& user : delta.changed) changed.emplace_back(user);
  for (const std::string& user : delta.left) left.emplace_back(user);
  return Response::Json(boost::json::serialize(boost::json::object{
      {"changed", std::move(changed)}, {"left", std::move(left)}}));
}

}  // namespace

bool IsLocal(const KeysContext& context, std::string_view user_id) {
  return user_id.starts_with('@') &&
         ServerNameOf(user_id) == context.server_name;
}

boost::json::object Unreachable() {
  // What Synapse reports for a server it cannot ask.
  return {{"status", 503}, {"message", "Federation is not available"}};
}

absl::Status AddKeysRoutes(http::RouteTable* table, const KeysContext* context) {
  return http::AddUserRoutes<const KeysContext>(
      table, http::ClientPrefixes(), context,
      {{http::Method::kPost, "/keys/upload", Upload},
       {http::Method::kPost, "/keys/query", Query},
       {http::Method::kPost, "/keys/claim", Claim},
       {http::Method::kGet, "/keys/changes", Changes}});
}

}  // namespace myelin::e2ee
