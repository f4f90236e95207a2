#include "server/client/account_crypto.h"

#include "gtest/gtest.h"
#include "server/client/nonce_store.h"

namespace myelin::client {
namespace {

TEST(AccountCryptoTest, SharedSecretMacMatchesSynapse) {
  // Vectors from Python: hmac.new(b"shared", msg, hashlib.sha1).hexdigest().
  EXPECT_EQ(SharedSecretMac("shared", "abcnonce", "alice", "s3cret", false, ""),
            "dedb0b14cfe1b69eb4efb55b7ce85509f83c4611");
  EXPECT_EQ(SharedSecretMac("shared", "abcnonce", "bob", "pw", true, "bot"),
            "a60bd02a053eea0e99c9243eccc31d3e8c2c2fe5");
}

TEST(AccountCryptoTest, PasswordHashVerifies) {
  PasswordHasher hasher(1, 8192);
  auto hash = hasher.Hash("correct horse");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse"));
  EXPECT_FALSE(hasher.Verify(*hash, "wrong"));
  EXPECT_FALSE(hasher.Verify("", ""));
  EXPECT_FALSE(hasher.Verify("garbage", "x"));
}

TEST(AccountCryptoTest, TokensAndIds) {
  std::string a = NewAccessToken(), b = NewAccessToken();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("myl_at_", 0), 0u);
  EXPECT_EQ(a.size(), 7u + 43u);
  EXPECT_EQ(NewRefreshToken().rfind("myl_rt_", 0), 0u);
  EXPECT_EQ(TokenHash(a).size(), 32u);
  EXPECT_EQ(TokenHash(a), TokenHash(a));
  EXPECT_NE(TokenHash(a), TokenHash(b));
  std::string device = NewDeviceId();
  EXPECT_EQ(device.size(), 10u);
  for (char c : device) EXPECT_TRUE(c >= 'A' && c <= 'Z');
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(NonceStoreTest, SingleUseAndShortLived) {
  FakeClock clock;
  NonceStore nonces(&clock, /*ttl_ms=*/1000);
  std::string a = nonces.Issue(), b = nonces.Issue();
  EXPECT_TRUE(nonces.Consume(a));
  EXPECT_FALSE(nonces.Consume(a));
  EXPECT_FALSE(nonces.Consume("never-issued"));
  clock.Advance(1000);
  EXPECT_FALSE(nonces.Consume(b));
}

}  // namespace
}  // namespace myelin::client
