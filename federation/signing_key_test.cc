#include "federation/signing_key.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "dag/crypto/base64.h"
#include "gtest/gtest.h"

namespace myelin::federation {
namespace {

std::string TempPath(const std::string& name) {
  return std::string(std::getenv("TEST_TMPDIR")) + "/" + name;
}

TEST(SigningKeyTest, ParsesSynapseFormat) {
  // Spec appendices test vector: the seed "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
  // has public key "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI".
  auto key = ParseSigningKey(
      "ed25519 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->KeyId(), "ed25519:1");
  EXPECT_EQ(crypto::EncodeBase64(key->key_pair.public_key()),
            "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI");
}

TEST(SigningKeyTest, RejectsMalformedFiles) {
  EXPECT_FALSE(ParseSigningKey("").ok());
  EXPECT_FALSE(ParseSigningKey("ed25519 1").ok());
  EXPECT_FALSE(ParseSigningKey("rsa 1 YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1").ok());
  EXPECT_FALSE(ParseSigningKey("ed25519 b@d YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1").ok());
  EXPECT_FALSE(ParseSigningKey("ed25519 1 !!!notbase64").ok());
  EXPECT_FALSE(ParseSigningKey("ed25519 1 c2hvcnQ").ok());  // 5-byte seed
}

TEST(SigningKeyTest, CreatesOnceThenReloadsTheSameKey) {
  std::string path = TempPath("signing.key");
  std::remove(path.c_str());
  auto created = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(created.ok()) << created.status();
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  auto reloaded = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->KeyId(), created->KeyId());
  EXPECT_EQ(reloaded->key_pair.public_key(), created->key_pair.public_key());
  std::ifstream file(path);
  std::string algorithm, version, seed;
  file >> algorithm >> version >> seed;
  EXPECT_EQ(algorithm, "ed25519");
  EXPECT_EQ(seed.find('='), std::string::npos);  // Unpadded.
}

TEST(SigningKeyTest, CorruptFileIsAnErrorNotANewKey) {
  std::string path = TempPath("corrupt.key");
  std::ofstream(path) << "garbage\n";
  auto key = LoadOrCreateSigningKey(path);
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace myelin::federation
