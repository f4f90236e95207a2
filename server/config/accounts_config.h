// Reading of the account, registration and rate-limit keys, kept apart from
// config.cc so each area's keys live together.
#ifndef MYELIN_SERVER_CONFIG_ACCOUNTS_CONFIG_H_
#define MYELIN_SERVER_CONFIG_ACCOUNTS_CONFIG_H_

#include "server/config/config.h"
#include "server/config/yaml_reader.h"

namespace myelin::config {

// Reads registration_tokens, argon2_*, refresh_tokens,
// access_token_lifetime_ms and rate_limiting from the top-level mapping.
void ReadAccountKeys(MapReader& reader, Config* config, YamlErrors* errors);

}  // namespace myelin::config

#endif  // MYELIN_SERVER_CONFIG_ACCOUNTS_CONFIG_H_
