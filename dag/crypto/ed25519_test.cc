#include "dag/crypto/ed25519.h"

#include <string>

#include "dag/crypto/base64.h"
#include "dag/crypto/hash.h"
#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::crypto {
namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

TEST(Ed25519Test, SpecSigningKey) {
  const auto& v = testing::SpecVectors().at("signing_key").as_object();
  auto seed = DecodeBase64(std::string(v.at("seed_base64").as_string()));
  ASSERT_TRUE(seed.ok());
  EXPECT_EQ(Hex(*seed), v.at("seed_hex").as_string());
  auto key = Ed25519KeyPair::FromSeed(*seed);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(EncodeBase64(key->public_key()),
            v.at("derived_public_key_base64").as_string());
  EXPECT_EQ(Hex(key->public_key()), v.at("derived_public_key_hex").as_string());
  EXPECT_EQ(key->seed(), *seed);
}

TEST(Ed25519Test, SignVerifyAndTamper) {
  auto key = Ed25519KeyPair::FromSeed(std::string(32, '\x07'));
  ASSERT_TRUE(key.ok());
  std::string sig = key->Sign("hello");
  ASSERT_EQ(sig.size(), kEd25519SignatureBytes);
  EXPECT_TRUE(VerifyEd25519(key->public_key(), "hello", sig));
  EXPECT_FALSE(VerifyEd25519(key->public_key(), "hellp", sig));
  std::string bad = sig;
  bad[10] ^= 1;
  EXPECT_FALSE(VerifyEd25519(key->public_key(), "hello", bad));
  auto other = Ed25519KeyPair::FromSeed(std::string(32, '\x08'));
  EXPECT_FALSE(VerifyEd25519(other->public_key(), "hello", sig));
  EXPECT_FALSE(VerifyEd25519(key->public_key(), "hello", sig.substr(1)));
  EXPECT_FALSE(VerifyEd25519("short", "hello", sig));
}

TEST(Ed25519Test, RejectsBadSeed) {
  EXPECT_FALSE(Ed25519KeyPair::FromSeed("too short").ok());
  EXPECT_FALSE(Ed25519KeyPair::FromSeed(std::string(33, 'a')).ok());
}

TEST(Sha256Test, KnownDigests) {
  EXPECT_EQ(Hex(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, PiecesHashLikeTheWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += static_cast<char>(i * 7);
  Sha256Hasher hasher;
  hasher.Update(data.substr(0, 1));
  hasher.Update("");
  hasher.Update(data.substr(1, 500));
  hasher.Update(data.substr(501));
  EXPECT_EQ(Hex(hasher.Finish()), Hex(Sha256(data)));
  EXPECT_EQ(Hex(Sha256Hasher().Finish()), Hex(Sha256("")));
}

}  // namespace
}  // namespace myelin::crypto
