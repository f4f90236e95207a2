#include "storage/keys/e2ee_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(2024);

std::string Str() {
  static const char* kStrs[] = {"", "@a:x", "@a\0b:x", "@ab:x", "DEV",
                                "signed_curve25519", "AAAAHg", "\xff"};
  static const size_t kSizes[] = {0, 4, 6, 5, 3, 17, 6, 1};
  size_t i = rng() % 8;
  return std::string(kStrs[i], kSizes[i]);
}

uint64_t U64() {
  static const uint64_t kValues[] = {0, 1, 2, 255, 256, ~uint64_t{0}};
  return kValues[rng() % 6];
}

uint8_t U8() { return static_cast<uint8_t>(rng() % 4); }

TEST(E2eeKeysTest, RoundTripAndOrder) {
  CheckRoundTripAndOrder<DeviceKeysKey>([] { return std::tuple(Str(), Str()); });
  CheckRoundTripAndOrder<OneTimeKeyKey>(
      [] { return std::tuple(Str(), Str(), Str(), U64(), Str()); });
  CheckRoundTripAndOrder<FallbackKeyKey>(
      [] { return std::tuple(Str(), Str(), Str()); });
  CheckRoundTripAndOrder<FallbackKeyValue>(
      [] { return std::tuple(U8(), Str(), Str()); });
  CheckRoundTripAndOrder<CrossSigningKeyKey>([] { return std::tuple(Str(), U8()); });
  CheckRoundTripAndOrder<KeySignatureKey>(
      [] { return std::tuple(Str(), Str(), Str(), Str()); });
}

TEST(E2eeKeysTest, OneTimeKeysOfAnAlgorithmSortByUpload) {
  // A later upload sorts after an earlier one whatever the key ids.
  EXPECT_LT(OneTimeKeyKey::Encode("@a:x", "D", "signed_curve25519", 1, "zzz"),
            OneTimeKeyKey::Encode("@a:x", "D", "signed_curve25519", 2, "AAA"));
  std::string prefix = OneTimeKeyKey::EncodePrefix(
      std::string("@a:x"), std::string("D"), std::string("signed_curve25519"));
  EXPECT_EQ(OneTimeKeyKey::Encode("@a:x", "D", "signed_curve25519", 7, "k")
                .rfind(prefix, 0),
            0u);
  // Another algorithm, or a device whose id extends this one, is outside.
  EXPECT_NE(OneTimeKeyKey::Encode("@a:x", "D", "signed_curve25519x", 7, "k")
                .rfind(prefix, 0),
            0u);
  EXPECT_NE(OneTimeKeyKey::Encode("@a:x", "DE", "signed_curve25519", 7, "k")
                .rfind(prefix, 0),
            0u);
}

TEST(E2eeKeysTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(DeviceKeysKey::Decode("\x01").ok());
  EXPECT_FALSE(CrossSigningKeyKey::Decode(CrossSigningKeyKey::Encode("@a:x", 1) + "x").ok());
  EXPECT_FALSE(FallbackKeyValue::Decode("").ok());
}

}  // namespace
}  // namespace myelin::storage::keys
