#include "server/admin/admin.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "boost/json/object.hpp"
#include "boost/json/serialize.hpp"
#include "dag/base/log.h"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/crypto/base64.h"

namespace myelin::admin {
namespace {

using http::Auth;
using http::Body;
using http::Method;
using http::Request;
using http::Response;
using http::Route;

absl::StatusOr<Response> ServerInfo(storage::Engine* engine,
                                    const federation::SigningKey* key) {
  ASSIGN_OR_RETURN(storage::DatabaseInfo info, engine->ReadDatabaseInfo());
  ASSIGN_OR_RETURN(uint64_t schema, engine->SchemaVersion());
  boost::json::object body;
  body["server_name"] = info.server_name;
  body["database_created_ts"] = info.created_at_ms;
  body["schema_version"] = schema;
  body["signing_key_id"] = key->KeyId();
  body["signing_public_key"] =
      crypto::EncodeBase64(key->key_pair.public_key());
  return Response::Json(boost::json::serialize(body));
}

// The same layout as `myelin-admin backup`: the target is a data_dir of its
// own (the checkpoint in db/, the signing key beside it), so a restore is
// "start with data_dir pointing at the backup".
absl::StatusOr<Response> Backup(storage::Engine* engine,
                                const std::string& signing_key_path,
                                const Request& r) {
  const boost::json::object& json = r.json.as_object();
  const boost::json::value* target = json.if_contains("target_dir");
  if (target == nullptr || !target->is_string()) {
    return MissingParam("target_dir (a string) is required");
  }
  std::string dir(target->as_string());
  if (dir.empty() || dir[0] != '/') {
    return InvalidParam("target_dir must be an absolute path");
  }
  if (::access(dir.c_str(), F_OK) == 0) {
    return InvalidParam(absl::StrCat(dir, " already exists"));
  }
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return InvalidParam(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  }
  absl::Status status =
      engine->CreateCheckpoint(storage::DatabasePathIn(dir));
  if (status.ok()) {
    std::filesystem::copy_file(signing_key_path,
                               (std::filesystem::path(dir) / "signing.key"),
                               ec);
    if (ec) {
      status = absl::InternalError(
          absl::StrCat("cannot copy the signing key: ", ec.message()));
    }
  }
  if (!status.ok()) {
    MLOG(ERROR) << "backup to " << dir << " failed: " << status;
    return MatrixError(500, errcode::kUnknown,
                       absl::StrCat("backup failed: ", status.message()));
  }
  int64_t millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - started)
                       .count();
  MLOG(INFO) << "backup written to " << dir << " in " << millis << " ms";
  boost::json::object body{{"target_dir", dir}, {"duration_ms", millis}};
  return Response::Json(boost::json::serialize(body));
}

}  // namespace

std::string AdminTokenPath(std::string_view data_dir) {
  std::string path(data_dir);
  if (!path.empty() && path.back() != '/') path += '/';
  return path + "admin.token";
}

absl::StatusOr<std::string> LoadOrCreateAdminToken(const std::string& path) {
  std::ifstream file(path);
  if (file) {
    std::string token;
    std::getline(file, token);
    absl::StripAsciiWhitespace(&token);
    if (token.size() < 32) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": admin token is too short; delete the file to "
                             "have a new one created"));
    }
    return token;
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium init failed");
  std::string random(32, '\0');
  randombytes_buf(random.data(), random.size());
  std::string token = "myelin_admin_" + crypto::EncodeBase64UrlSafe(random);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  std::string line = token + "\n";
  bool ok = ::write(fd, line.data(), line.size()) ==
                static_cast<ssize_t>(line.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return token;
}

absl::StatusOr<http::Principal> AdminTokenAuthenticator::Authenticate(
    std::string_view access_token) const {
  if (access_token.size() == token_.size() &&
      sodium_memcmp(access_token.data(), token_.data(), token_.size()) == 0) {
    http::Principal principal;
    principal.admin = true;
    return principal;
  }
  return UnknownToken("Unknown access token");
}

absl::Status AddAdminRoutes(http::RouteTable* table, storage::Engine* engine,
                            const federation::SigningKey* key,
                            const std::string& signing_key_path) {
  Route info;
  info.pattern = "/_myelin/admin/v1/server_info";
  info.auth = Auth::kAdmin;
  info.handler = [engine, key](const Request&) {
    return ServerInfo(engine, key);
  };
  RETURN_IF_ERROR(table->Add(std::move(info)));
  Route backup;
  backup.method = Method::kPost;
  backup.pattern = "/_myelin/admin/v1/backup";
  backup.auth = Auth::kAdmin;
  backup.body = Body::kJson;
  backup.handler = [engine, signing_key_path](const Request& r) {
    return Backup(engine, signing_key_path, r);
  };
  return table->Add(std::move(backup));
}

}  // namespace myelin::admin
