// Test helper for key codecs: random tuples of a Key<...> must decode to
// themselves, and their encodings must sort exactly as the tuples do.
//
//   CheckRoundTripAndOrder<RoomMemberKey>(
//       [] { return std::tuple(U64(), U8(), U64()); });
#ifndef MYELIN_STORAGE_KEYS_KEY_TESTING_H_
#define MYELIN_STORAGE_KEYS_KEY_TESTING_H_

#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"

namespace myelin::storage::keys::testing {

template <typename K>
std::string EncodeTuple(const typename K::Tuple& t) {
  return std::apply([](const auto&... p) { return K::Encode(p...); }, t);
}

// 400 tuples from `gen`: each round-trips, and each neighbouring pair
// compares the same way as tuples and as encoded bytes.
template <typename K, typename Gen>
void CheckRoundTripAndOrder(Gen gen) {
  std::vector<typename K::Tuple> tuples;
  for (int i = 0; i < 400; ++i) tuples.push_back(gen());
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

}  // namespace myelin::storage::keys::testing

#endif  // MYELIN_STORAGE_KEYS_KEY_TESTING_H_
