#include "server/keybackup/key_backup_routes.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/ids/ids.h"
#include "dag/json/canonical.h"
#include "server/http/error_response.h"

namespace myelin::keybackup {
namespace {

using http::Request;
using http::Response;
using storage::BackupStore;

// A JSON string literal of `s`, for splicing stored JSON into responses.
std::string Quote(std::string_view s) {
  return boost::json::serialize(
      boost::json::value(boost::json::string_view(s.data(), s.size())));
}

// Versions are the decimal numbers the store hands out, written exactly as
// we write them ("7", never "07" or "+7"); anything else names no version.
std::optional<uint64_t> ParseVersion(std::string_view text) {
  uint64_t version = 0;
  if (!absl::SimpleAtoi(AV(text), &version) ||
      std::to_string(version) != text) {
    return std::nullopt;
  }
  return version;
}

absl::StatusOr<std::optional<uint64_t>> VersionQuery(const Request& r) {
  if (!r.HasQuery("version")) return MissingParam("version is required");
  return ParseVersion(r.Query("version"));
}

absl::Status CheckRoomId(std::string_view room_id) {
  if (!ids::ParseRoomId(room_id, ids::RoomIdFormat::kAny).ok()) {
    return InvalidParam(absl::StrCat("invalid room id ", AV(room_id)));
  }
  return absl::OkStatus();
}

absl::Status CheckSessionId(std::string_view session_id) {
  if (session_id.empty()) return InvalidParam("session id must not be empty");
  return absl::OkStatus();
}

// The scope named by the path: the whole backup, a room, or a session.
absl::StatusOr<storage::KeyScope> ScopeOf(const Request& r) {
  storage::KeyScope scope{std::string(r.Param("roomId")),
                          std::string(r.Param("sessionId"))};
  if (r.params.contains("roomId")) RETURN_IF_ERROR(CheckRoomId(scope.room_id));
  if (r.params.contains("sessionId")) {
    RETURN_IF_ERROR(CheckSessionId(scope.session_id));
  }
  return scope;
}

// {"etag", "count"}: Spec: RoomKeysUpdateResponse.
Response CountsResponse(const storage::KeyCounts& counts) {
  return Response::Json(boost::json::serialize(boost::json::object{
      {"etag", std::to_string(counts.etag)}, {"count", counts.count}}));
}

// ---- Versions.

// `algorithm` (a non-empty string) and `auth_data` (an object, returned as
// canonical JSON) of a version body. Any algorithm is accepted: the server
// never interprets the backup, and clients try newer ones (MSCs) first.
absl::StatusOr<std::pair<std::string, std::string>> VersionBody(
    const boost::json::object& body) {
  const boost::json::value* algorithm = body.if_contains("algorithm");
  const boost::json::value* auth_data = body.if_contains("auth_data");
  if (algorithm == nullptr) return MissingParam("algorithm is required");
  if (auth_data == nullptr) return MissingParam("auth_data is required");
  if (!algorithm->is_string() || algorithm->get_string().empty()) {
    return BadJson("algorithm must be a non-empty string");
  }
  if (!auth_data->is_object()) return BadJson("auth_data must be an object");
  ASSIGN_OR_RETURN(std::string auth_json,
                   json::EncodeCanonicalJson(*auth_data, JsonStrictness::kLenient));
  return std::make_pair(std::string(algorithm->get_string()),
                        std::move(auth_json));
}

Response VersionResponse(const storage::BackupVersion& v) {
  return Response::Json(absl::StrCat(
      R"({"algorithm":)", Quote(v.algorithm), R"(,"auth_data":)", v.auth_data,
      R"(,"count":)", v.count, R"(,"etag":")", v.etag, R"(","version":")",
      v.version, R"("})"));
}

absl::StatusOr<Response> CreateVersion(BackupStore* store, const Request& r) {
  ASSIGN_OR_RETURN(auto body, VersionBody(r.json.as_object()));
  ASSIGN_OR_RETURN(uint64_t version,
                   store->CreateVersion(r.principal.user_id, body.first,
                                        body.second));
  return Response::Json(boost::json::serialize(
      boost::json::object{{"version", std::to_string(version)}}));
}

absl::StatusOr<Response> GetVersion(BackupStore* store, const Request& r) {
  std::optional<storage::BackupVersion> found;
  if (!r.params.contains("version")) {
    ASSIGN_OR_RETURN(found, store->CurrentVersion(r.principal.user_id));
    if (!found.has_value()) return NotFound("No current backup version");
  } else if (std::optional<uint64_t> v = ParseVersion(r.Param("version"))) {
    ASSIGN_OR_RETURN(found, store->GetVersion(r.principal.user_id, *v));
  }
  if (!found.has_value()) return NotFound("Unknown backup version");
  return VersionResponse(*found);
}

absl::StatusOr<Response> UpdateVersion(BackupStore* store, const Request& r) {
  const boost::json::object& body = r.json.as_object();
  ASSIGN_OR_RETURN(auto fields, VersionBody(body));
  if (const boost::json::value* v = body.if_contains("version")) {
    // Spec: if present, the body's version must be the path's.
    if (!v->is_string() || v->get_string() != r.Param("version")) {
      return InvalidParam("version in body does not match the path");
    }
  }
  std::optional<uint64_t> version = ParseVersion(r.Param("version"));
  if (!version.has_value()) return NotFound("Unknown backup version");
  RETURN_IF_ERROR(store->UpdateVersion(r.principal.user_id, *version,
                                       fields.first, fields.second));
  return Response::Json("{}");
}

absl::StatusOr<Response> DeleteVersion(BackupStore* store, const Request& r) {
  std::optional<uint64_t> version = ParseVersion(r.Param("version"));
  if (!version.has_value()) return NotFound("Unknown backup version");
  RETURN_IF_ERROR(store->DeleteVersion(r.principal.user_id, *version));
  return Response::Json("{}");
}

// ---- Keys.

// Appends the sessions of one room's RoomKeyBackup ({"sessions": {...}}).
absl::Status AddRoom(const std::string& room_id, const boost::json::value& room,
                     std::vector<storage::SessionKey>& out) {
  RETURN_IF_ERROR(CheckRoomId(room_id));
  const boost::json::value* sessions =
      room.is_object() ? room.get_object().if_contains("sessions") : nullptr;
  if (sessions == nullptr || !sessions->is_object()) {
    return BadJson("each room needs a sessions object");
  }
  for (const auto& [session_id, data] : sessions->get_object()) {
    RETURN_IF_ERROR(
        CheckSessionId(std::string_view(session_id.data(), session_id.size())));
    ASSIGN_OR_RETURN(storage::RoomKey key, storage::ParseRoomKey(data));
    out.push_back({room_id, std::string(session_id), std::move(key)});
  }
  return absl::OkStatus();
}

// Every key of the body, checked before anything is written.
absl::StatusOr<std::vector<storage::SessionKey>> UploadedKeys(
    const Request& r, const storage::KeyScope& scope) {
  std::vector<storage::SessionKey> keys;
  const boost::json::object& body = r.json.as_object();
  if (!scope.session_id.empty()) {
    ASSIGN_OR_RETURN(storage::RoomKey key, storage::ParseRoomKey(r.json));
    keys.push_back({scope.room_id, scope.session_id, std::move(key)});
  } else if (!scope.room_id.empty()) {
    RETURN_IF_ERROR(AddRoom(scope.room_id, r.json, keys));
  } else {
    const boost::json::value* rooms = body.if_contains("rooms");
    if (rooms == nullptr) return MissingParam("rooms is required");
    if (!rooms->is_object()) return BadJson("rooms must be an object");
    for (const auto& [room_id, room] : rooms->get_object()) {
      RETURN_IF_ERROR(AddRoom(std::string(room_id), room, keys));
    }
  }
  return keys;
}

absl::StatusOr<Response> PutKeys(BackupStore* store, const Request& r) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, VersionQuery(r));
  ASSIGN_OR_RETURN(storage::KeyScope scope, ScopeOf(r));
  ASSIGN_OR_RETURN(std::vector<storage::SessionKey> keys, UploadedKeys(r, scope));
  // Versions start at 1, so 0 (for an unparsable version) is never current.
  ASSIGN_OR_RETURN(storage::PutKeysResult result,
                   store->PutKeys(r.principal.user_id, version.value_or(0), keys));
  if (!result.accepted) {
    return http::WithErrorFields(
        MatrixError(403, errcode::kWrongRoomKeysVersion, "Wrong backup version."),
        boost::json::object{
            {"current_version", std::to_string(result.current_version)}});
  }
  return CountsResponse(result.counts);
}

// Splices the stored KeyBackupData into the shape the path asks for.
std::string KeysBody(const std::vector<storage::StoredKey>& keys,
                     const storage::KeyScope& scope) {
  std::string out = scope.room_id.empty() ? R"({"rooms":{)" : "";
  const std::string* room = nullptr;
  for (const storage::StoredKey& key : keys) {
    if (room == nullptr || *room != key.room_id) {
      if (room != nullptr) out += "}},";
      if (scope.room_id.empty()) absl::StrAppend(&out, Quote(key.room_id), ":");
      out += R"({"sessions":{)";
      room = &key.room_id;
    } else {
      out += ",";
    }
    absl::StrAppend(&out, Quote(key.session_id), ":", key.json);
  }
  if (room != nullptr) out += "}}";
  if (scope.room_id.empty()) return out + "}}";
  return room == nullptr ? R"({"sessions":{}})" : out;
}

absl::StatusOr<Response> GetKeys(BackupStore* store, const Request& r) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, VersionQuery(r));
  ASSIGN_OR_RETURN(storage::KeyScope scope, ScopeOf(r));
  if (!version.has_value()) return NotFound("Unknown backup version");
  ASSIGN_OR_RETURN(std::vector<storage::StoredKey> keys,
                   store->GetKeys(r.principal.user_id, *version, scope));
  if (!scope.session_id.empty()) {
    if (keys.empty()) return NotFound("Key not found");
    return Response::Json(keys.front().json);
  }
  return Response::Json(KeysBody(keys, scope));
}

absl::StatusOr<Response> DeleteKeys(BackupStore* store, const Request& r) {
  ASSIGN_OR_RETURN(std::optional<uint64_t> version, VersionQuery(r));
  ASSIGN_OR_RETURN(storage::KeyScope scope, ScopeOf(r));
  if (!version.has_value()) return NotFound("Unknown backup version");
  ASSIGN_OR_RETURN(storage::KeyCounts counts,
                   store->DeleteKeys(r.principal.user_id, *version, scope));
  return CountsResponse(counts);
}

}  // namespace

absl::Status AddKeyBackupRoutes(http::RouteTable* table, BackupStore* store) {
  using Fn = absl::StatusOr<Response> (*)(BackupStore*, const Request&);
  auto add = [&](http::Method method, const char* pattern, http::Body body,
                 Fn fn) {
    http::Route route;
    route.method = method;
    route.pattern = pattern;
    route.auth = http::Auth::kUser;
    route.body = body;
    route.handler = [store, fn](const Request& r) { return fn(store, r); };
    return table->AddUnder(http::ClientPrefixes(), std::move(route));
  };
  using http::Body;
  using http::Method;
  RETURN_IF_ERROR(add(Method::kPost, "/room_keys/version", Body::kJson,
                      CreateVersion));
  RETURN_IF_ERROR(add(Method::kGet, "/room_keys/version", Body::kAny, GetVersion));
  RETURN_IF_ERROR(add(Method::kGet, "/room_keys/version/{version}", Body::kAny,
                      GetVersion));
  RETURN_IF_ERROR(add(Method::kPut, "/room_keys/version/{version}", Body::kJson,
                      UpdateVersion));
  RETURN_IF_ERROR(add(Method::kDelete, "/room_keys/version/{version}",
                      Body::kAny, DeleteVersion));
  for (const char* path :
       {"/room_keys/keys", "/room_keys/keys/{roomId}",
        "/room_keys/keys/{roomId}/{sessionId}"}) {
    RETURN_IF_ERROR(add(Method::kPut, path, Body::kJson, PutKeys));
    RETURN_IF_ERROR(add(Method::kGet, path, Body::kAny, GetKeys));
    RETURN_IF_ERROR(add(Method::kDelete, path, Body::kAny, DeleteKeys));
  }
  return absl::OkStatus();
}

}  // namespace myelin::keybackup
