#include "federation/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/crypto/base64.h"

namespace myelin::federation {
namespace {

// Spec: appendices, key ids are "algorithm:version" where the version is
// [a-zA-Z0-9_].
bool ValidVersion(std::string_view version) {
  if (version.empty() || version.size() > 64) return false;
  for (char c : version) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return false;
    }
  }
  return true;
}

std::string RandomVersion() {
  static constexpr char kLetters[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string version = "a_";
  for (int i = 0; i < 4; ++i) {
    version.push_back(kLetters[randombytes_uniform(sizeof(kLetters) - 1)]);
  }
  return version;
}

absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& text) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", temp, ": ", std::strerror(errno)));
  }
  bool ok = ::write(fd, text.data(), text.size()) ==
                static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return absl::InternalError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SigningKey> ParseSigningKey(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  std::vector<std::string> parts =
      absl::StrSplit(AV(line), absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
  if (parts.size() != 3) {
    return absl::InvalidArgumentError(
        "signing key must be 'ed25519 <version> <base64 seed>'");
  }
  if (parts[0] != "ed25519") {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported signing key algorithm '", parts[0], "'"));
  }
  if (!ValidVersion(parts[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid key version '", parts[1], "'"));
  }
  absl::StatusOr<std::string> seed = crypto::DecodeBase64(parts[2]);
  if (!seed.ok()) {
    return absl::InvalidArgumentError("signing key seed is not valid base64");
  }
  absl::StatusOr<crypto::Ed25519KeyPair> pair =
      crypto::Ed25519KeyPair::FromSeed(*seed);
  if (!pair.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "signing key seed must be ", crypto::kEd25519SeedBytes, " bytes"));
  }
  return SigningKey{parts[1], *std::move(pair)};
}

std::string FormatSigningKey(const SigningKey& key) {
  return absl::StrCat("ed25519 ", key.version, " ",
                      crypto::EncodeBase64(key.key_pair.seed()), "\n");
}

absl::StatusOr<SigningKey> LoadOrCreateSigningKey(const std::string& path) {
  std::ifstream file(path);
  if (file) {
    std::stringstream text;
    text << file.rdbuf();
    absl::StatusOr<SigningKey> key = ParseSigningKey(text.str());
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": ", key.status().message()));
    }
    return key;
  }
  if (sodium_init() < 0) return absl::InternalError("libsodium init failed");
  std::string seed(crypto::kEd25519SeedBytes, '\0');
  randombytes_buf(seed.data(), seed.size());
  ASSIGN_OR_RETURN(crypto::Ed25519KeyPair pair,
                   crypto::Ed25519KeyPair::FromSeed(seed));
  sodium_memzero(seed.data(), seed.size());
  SigningKey key{RandomVersion(), std::move(pair)};
  RETURN_IF_ERROR(WriteFileAtomically(path, FormatSigningKey(key)));
  MLOG(INFO) << "created signing key " << key.KeyId() << " in " << path;
  return key;
}

}  // namespace myelin::federation
