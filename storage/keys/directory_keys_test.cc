#include "storage/keys/directory_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace myelin::storage::keys {
namespace {

std::mt19937_64 rng(77);

std::string Id() {
  static const char* kIds[] = {"", "#a:x", "#a\0b:x", "#ab:x", "!room:x", "!r"};
  static const size_t kSizes[] = {0, 4, 6, 5, 7, 2};
  size_t i = rng() % 6;
  return std::string(kIds[i], kSizes[i]);
}

template <typename K>
std::string EncodeTuple(const typename K::Tuple& t) {
  return std::apply([](const auto&... p) { return K::Encode(p...); }, t);
}

// Round trip, and byte order equals tuple order.
template <typename K, typename Gen>
void CheckRoundTripAndOrder(Gen gen) {
  std::vector<typename K::Tuple> tuples;
  for (int i = 0; i < 300; ++i) tuples.push_back(gen());
  for (size_t i = 0; i < tuples.size(); ++i) {
    auto decoded = K::Decode(EncodeTuple<K>(tuples[i]));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, tuples[i]);
    if (i == 0) continue;
    const auto& a = tuples[i - 1];
    const auto& b = tuples[i];
    EXPECT_EQ(a < b, EncodeTuple<K>(a) < EncodeTuple<K>(b));
    EXPECT_EQ(a == b, EncodeTuple<K>(a) == EncodeTuple<K>(b));
  }
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
