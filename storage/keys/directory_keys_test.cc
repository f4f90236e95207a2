#include "storage/keys/directory_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(77);

std::string Id() {
  static const char* kIds[] = {"", "#a:x", "#a\0b:x", "#ab:x", "!room:x", "!r"};
  static const size_t kSizes[] = {0, 4, 6, 5, 7, 2};
  size_t i = rng() % 6;
  return std::string(kIds[i], kSizes[i]);
}

TEST(DirectoryKeysTest, RoundTripAndOrder) {
  CheckRoundTripAndOrder<AliasKey>([] { return std::tuple(Id()); });
  CheckRoundTripAndOrder<PublishedRoomKey>([] { return std::tuple(Id()); });
  CheckRoundTripAndOrder<AliasValue>([] { return std::tuple(Id(), Id()); });
  CheckRoundTripAndOrder<RoomAliasKey>([] { return std::tuple(Id(), Id()); });
}

TEST(DirectoryKeysTest, RoomPrefixSelectsOnlyThatRoom) {
  std::string prefix = RoomAliasKey::EncodePrefix(std::string("!a:x"));
  EXPECT_EQ(RoomAliasKey::Encode("!a:x", "#z:x").rfind(prefix, 0), 0u);
  // "!a:x" is a string prefix of "!a:xy", but not a key prefix of it.
  EXPECT_NE(RoomAliasKey::Encode("!a:xy", "#z:x").rfind(prefix, 0), 0u);
}

TEST(DirectoryKeysTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(AliasValue::Decode("\x01").ok());
  EXPECT_FALSE(AliasKey::Decode(AliasKey::Encode("#a:x") + "x").ok());
}

}  // namespace
}  // namespace myelin::storage::keys
