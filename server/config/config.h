// Myelin's configuration: a plain struct, each field with its default, loaded
// from YAML (yaml-cpp). Every key is documented in docs/config.md and in the
// sample config (docs/homeserver.sample.yaml). An unknown key or a value of
// the wrong type is an error naming the key's path; the server refuses to
// start on an invalid config.
#ifndef MYELIN_SERVER_CONFIG_CONFIG_H_
#define MYELIN_SERVER_CONFIG_CONFIG_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace myelin::config {

// What a listener serves. Spec areas map to URL prefixes in server/routes.
enum class Resource { kClient, kFederation, kMedia, kMetrics, kHealth };

struct Listener {
  // Addresses to bind: IPv4 or IPv6 literals.
  std::vector<std::string> bind_addresses = {"127.0.0.1"};
  // 0 picks a free port (tests); the chosen port is logged and printed.
  uint16_t port = 8008;
  // Serve TLS with tls_certificate_path/tls_private_key_path.
  bool tls = false;
  // Behind a reverse proxy: the client address is the last entry of
  // X-Forwarded-For (rate limits, device last-seen addresses).
  bool x_forwarded = false;
  std::vector<Resource> resources = {Resource::kClient, Resource::kFederation,
                                     Resource::kMedia, Resource::kHealth,
                                     Resource::kMetrics};
};

// A registration token (Spec: client-server-api, "Token-authenticated
// registration"). When any are configured, /register requires one.
struct RegistrationToken {
  std::string token;          // 1-64 of [A-Za-z0-9._~-]
  uint64_t uses_allowed = 0;  // 0: unlimited
  uint64_t expiry_time_ms = 0;  // ms since the epoch; 0: never expires
};

// One class of rate-limited requests: a token bucket per IP and per user.
struct RateLimit {
  double per_second = 0.17;
  double burst = 3;
};

struct RateLimiting {
  bool enabled = true;  // false: nothing is limited (tests, benchmarks)
  RateLimit login = {0.17, 3};
  RateLimit registration = {0.17, 3};
  RateLimit message = {0.2, 10};  // for routes that send events
  // GET /register/available and registration-token validity: clients call
  // them as the user types, so apart from (and looser than) registration.
  RateLimit availability = {1, 10};
};

struct Config {
  // The domain in user ids (@alice:server_name). Never change it once users
  // exist: the database refuses to open under another name.
  std::string server_name = "localhost";
  // The URL clients use to reach this server; served in
  // /.well-known/matrix/client. Empty: derived from the first listener.
  std::string public_baseurl;
  // Served as /.well-known/matrix/server ("m.server"). Empty: not served
  // (404), so other servers use server_name's port 8448 or SRV.
  std::string well_known_server;
  std::vector<Listener> listeners = {Listener{}};
  std::string tls_certificate_path;  // PEM chain; needed by TLS listeners.
  std::string tls_private_key_path;  // PEM key; needed by TLS listeners.
  // ed25519 signing key, "ed25519 <version> <unpadded base64 seed>".
  // Created on first start if missing. Empty: <data_dir>/signing.key.
  std::string signing_key_path;
  // Where the RocksDB database lives. Created if missing.
  std::string data_dir = "./data";
  // One memory budget for RocksDB's block cache and write buffers.
  uint64_t memory_budget_mb = 512;
  // fsync the write-ahead log on every commit group. Off: a power loss may
  // drop the last few seconds of writes (a process crash loses nothing).
  bool sync_writes = true;
  std::string log_level = "info";  // debug, info, warn, error
  std::string log_file;            // Empty: stderr.
  std::string pid_file;            // Empty: none written.
  // Shared secret for /_synapse/admin/v1/register. Empty: endpoint disabled.
  std::string registration_shared_secret;
  bool enable_registration = false;
  // Track and share presence (online/unavailable/offline). Off: everyone
  // appears offline and presence updates are accepted but ignored.
  bool presence_enabled = true;
  // Accounts (server/client/accounts*): see docs/homeserver.sample.yaml.
  std::vector<RegistrationToken> registration_tokens;
  // argon2id cost of password hashes (libsodium crypto_pwhash_str).
  uint64_t argon2_opslimit = 2;
  uint64_t argon2_memlimit_kib = 65536;
  // Issue refresh tokens to clients that ask for them; their access tokens
  // then expire after access_token_lifetime_ms.
  bool refresh_tokens = false;
  uint64_t access_token_lifetime_ms = 300000;
  RateLimiting rate_limiting;
  // Largest request body accepted outside media uploads.
  uint64_t max_request_body_bytes = 1 << 20;
  // Media (server/media): largest upload, checked while the body streams.
  uint64_t max_upload_size_bytes = 50ull << 20;
  // Spec: content_repo "freeze" — media uploaded at or after this Unix time
  // (ms) is served only by the authenticated /_matrix/client/v1/media
  // endpoints. 0: no freeze (older clients keep working).
  uint64_t unauthenticated_media_freeze_ms = 0;
  // A request's headers and body must arrive within this time.
  uint32_t request_timeout_seconds = 30;
  // I/O threads; 0 means one per core.
  uint32_t io_threads = 0;
  // Threads for blocking work (database reads and writes).
  uint32_t worker_threads = 4;
};

// Parses YAML text. Missing keys keep their defaults.
absl::StatusOr<Config> ParseConfig(std::string_view yaml_text);

// Reads and parses a file; errors name the file.
absl::StatusOr<Config> LoadConfigFile(const std::string& path);

// The configuration used when no --config is given: a server for
// "localhost" on http://127.0.0.1:8008 with its data in ./data.
std::string_view EmbeddedDefaultConfig();

// Cross-field checks (TLS listener without certificate, duplicate ports...).
absl::Status Validate(const Config& config);

}  // namespace myelin::config

#endif  // MYELIN_SERVER_CONFIG_CONFIG_H_
