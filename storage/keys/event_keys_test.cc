#include "storage/keys/event_keys.h"

#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(4242);

uint64_t SmallU64() { return rng() % 5 == 0 ? rng() : rng() % 300; }
int64_t SmallI64() { return static_cast<int64_t>(rng() % 600) - 100; }
std::string Id() {
  static const char* kIds[] = {"", "$a", "$a\0b", "$ab", "!room:x", "$b"};
  return std::string(kIds[rng() % 6], rng() % 2 ? 2 : 4);
}

TEST(EventKeysTest, NidKeys) {
  CheckRoundTripAndOrder<NidKey>([] { return std::tuple(SmallU64()); });
  CheckRoundTripAndOrder<ExtremityKey>(
      [] { return std::tuple(SmallU64(), SmallU64()); });
  CheckRoundTripAndOrder<RoomStreamKey>(
      [] { return std::tuple(SmallU64(), SmallU64()); });
  CheckRoundTripAndOrder<CurrentStateKey>(
      [] { return std::tuple(SmallU64(), SmallU64()); });
}

TEST(EventKeysTest, TopologicalKeyOrdersByRoomDepthStream) {
  CheckRoundTripAndOrder<RoomTopoKey>(
      [] { return std::tuple(SmallU64() % 3, SmallI64(), SmallU64()); });
  EXPECT_LT(RoomTopoKey::Encode(1, -5, 9), RoomTopoKey::Encode(1, 0, 1));
  EXPECT_LT(RoomTopoKey::Encode(1, 7, 9), RoomTopoKey::Encode(1, 8, 1));
  EXPECT_LT(RoomTopoKey::Encode(1, 1u << 20, 1), RoomTopoKey::Encode(2, 0, 0));
}

TEST(EventKeysTest, MembershipKeysGroupByMembership) {
  CheckRoundTripAndOrder<RoomMemberKey>([] {
    return std::tuple(SmallU64() % 3, static_cast<uint8_t>(rng() % 6),
                      SmallU64());
  });
  CheckRoundTripAndOrder<UserRoomKey>([] {
    return std::tuple(SmallU64() % 3, static_cast<uint8_t>(rng() % 6),
                      SmallU64());
  });
  std::string joined = RoomMemberKey::EncodePrefix(uint64_t{7}, uint8_t{1});
  EXPECT_EQ(RoomMemberKey::Encode(7, 1, 99).substr(0, joined.size()), joined);
  EXPECT_NE(RoomMemberKey::Encode(7, 2, 99).substr(0, joined.size()), joined);
}

TEST(EventKeysTest, StringKeys) {
  CheckRoundTripAndOrder<IdKey>([] { return std::tuple(Id()); });
  CheckRoundTripAndOrder<StateKeyKey>([] { return std::tuple(Id(), Id()); });
  CheckRoundTripAndOrder<ChildKey>(
      [] { return std::tuple(Id(), SmallU64()); });
}

TEST(EventKeysTest, ChildPrefixMatchesOnlyThatEvent) {
  std::string prefix = ChildKey::EncodePrefix(std::string("$a"));
  EXPECT_EQ(ChildKey::Encode("$a", 5).rfind(prefix, 0), 0u);
  EXPECT_NE(ChildKey::Encode("$ab", 5).rfind(prefix, 0), 0u);
  EXPECT_NE(ChildKey::Encode(std::string("$a\0", 3), 5).rfind(prefix, 0), 0u);
}

TEST(EventKeysTest, Layouts) {
  EXPECT_EQ(RoomTopoKey::Layout(), "u64.i64.u64");
  EXPECT_EQ(RoomMemberKey::Layout(), "u64.u8.u64");
  EXPECT_EQ(StateKeyKey::Layout(), "str.str");
  EXPECT_EQ(ChildKey::Layout(), "str.u64");
}

}  // namespace
}  // namespace myelin::storage::keys
