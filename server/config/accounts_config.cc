#include "server/config/accounts_config.h"

#include <sodium.h>

namespace myelin::config {
namespace {

// Spec: client-server-api, "Token-authenticated registration": 1-64
// characters of [A-Za-z0-9._~-].
bool IsValidRegistrationToken(const std::string& token) {
  if (token.empty() || token.size() > 64) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '~' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

void ReadRateLimit(MapReader& parent, const char* key, RateLimit* out,
                   YamlErrors* errors) {
  parent.Mapping(key, [&](const YAML::Node& node, const std::string& path) {
    MapReader reader(node, path, errors);
    reader.Double("per_second", &out->per_second, 0, 1e6);
    reader.Double("burst", &out->burst, 1, 1e6);
    reader.RejectUnknownKeys();
  });
}

}  // namespace

void ReadAccountKeys(MapReader& reader, Config* config, YamlErrors* errors) {
  reader.Sequence("registration_tokens", [&](const YAML::Node& node,
                                             const std::string& path) {
    MapReader entry(node, path, errors);
    RegistrationToken token;
    entry.String("token", &token.token);
    entry.U64("uses_allowed", &token.uses_allowed, 0, UINT64_MAX);
    entry.U64("expiry_time_ms", &token.expiry_time_ms, 0, UINT64_MAX);
    entry.RejectUnknownKeys();
    if (!IsValidRegistrationToken(token.token)) {
      errors->Add(path + ".token",
                  "must be 1-64 characters of A-Z a-z 0-9 . _ ~ -");
      return;
    }
    config->registration_tokens.push_back(std::move(token));
  });
  reader.U64("argon2_opslimit", &config->argon2_opslimit,
             crypto_pwhash_OPSLIMIT_MIN, 64);
  reader.U64("argon2_memlimit_kib", &config->argon2_memlimit_kib,
             crypto_pwhash_MEMLIMIT_MIN / 1024, uint64_t{4} << 20);
  reader.Bool("refresh_tokens", &config->refresh_tokens);
  reader.U64("access_token_lifetime_ms", &config->access_token_lifetime_ms,
             1000, uint64_t{365} * 24 * 3600 * 1000);
  reader.Mapping("rate_limiting", [&](const YAML::Node& node,
                                      const std::string& path) {
    MapReader limits(node, path, errors);
    limits.Bool("enabled", &config->rate_limiting.enabled);
    ReadRateLimit(limits, "login", &config->rate_limiting.login, errors);
    ReadRateLimit(limits, "registration", &config->rate_limiting.registration,
                  errors);
    ReadRateLimit(limits, "message", &config->rate_limiting.message, errors);
    ReadRateLimit(limits, "availability", &config->rate_limiting.availability,
                  errors);
    limits.RejectUnknownKeys();
  });
}

}  // namespace myelin::config
