#include "server/config/accounts_config.h"

#include "gtest/gtest.h"

namespace myelin::config {
namespace {

TEST(AccountsConfigTest, Defaults) {
  absl::StatusOr<Config> config = ParseConfig("server_name: a.example\n");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->registration_tokens.empty());
  EXPECT_EQ(config->argon2_opslimit, 2u);
  EXPECT_FALSE(config->refresh_tokens);
  EXPECT_TRUE(config->rate_limiting.enabled);
  EXPECT_EQ(config->rate_limiting.login.burst, 3);
}

TEST(AccountsConfigTest, ReadsEveryKey) {
  absl::StatusOr<Config> config = ParseConfig(R"(
registration_tokens:
  - token: abc
    uses_allowed: 2
  - token: def
    expiry_time_ms: 5
argon2_opslimit: 1
argon2_memlimit_kib: 8
refresh_tokens: true
access_token_lifetime_ms: 2000
rate_limiting:
  enabled: false
  login: {per_second: 1.5, burst: 4}
  message: {burst: 20}
  availability: {per_second: 2, burst: 5}
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->registration_tokens.size(), 2u);
  EXPECT_EQ(config->registration_tokens[0].uses_allowed, 2u);
  EXPECT_EQ(config->registration_tokens[1].expiry_time_ms, 5u);
  EXPECT_EQ(config->argon2_memlimit_kib, 8u);
  EXPECT_TRUE(config->refresh_tokens);
  EXPECT_EQ(config->access_token_lifetime_ms, 2000u);
  EXPECT_FALSE(config->rate_limiting.enabled);
  EXPECT_EQ(config->rate_limiting.login.per_second, 1.5);
  EXPECT_EQ(config->rate_limiting.message.burst, 20);
  EXPECT_EQ(config->rate_limiting.message.per_second, 0.2);
  EXPECT_EQ(config->rate_limiting.availability.burst, 5);
}

TEST(AccountsConfigTest, ListenerXForwarded) {
  auto config = ParseConfig("listeners: [{port: 0, x_forwarded: true}]\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->listeners[0].x_forwarded);
  EXPECT_FALSE(ParseConfig("server_name: a\n")->listeners[0].x_forwarded);
}

TEST(AccountsConfigTest, ErrorsNameTheKey) {
  auto config = ParseConfig(R"(
registration_tokens: [{token: "has space"}]
rate_limiting: {login: {per_second: x}, bogus: 1}
argon2_opslimit: 0
)");
  ASSERT_FALSE(config.ok());
  std::string message(config.status().message());
  EXPECT_NE(message.find("registration_tokens[0].token"), std::string::npos);
  EXPECT_NE(message.find("rate_limiting.login.per_second"), std::string::npos);
  EXPECT_NE(message.find("rate_limiting.bogus"), std::string::npos);
  EXPECT_NE(message.find("argon2_opslimit"), std::string::npos);
}

}  // namespace
}  // namespace myelin::config
