#include "storage/keys/relation_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(42);

std::string Str() {
  static const char* kStrs[] = {"", "$a", "$a\0b", "$ab", "m.thread", "m"};
  static const size_t kSizes[] = {0, 2, 4, 3, 8, 1};
  size_t i = rng() % 6;
  return std::string(kStrs[i], kSizes[i]);
}

uint64_t Num() {
  static const uint64_t kNums[] = {0, 1, 255, 256, ~0ull};
  return kNums[rng() % 5];
}

TEST(RelationKeysTest, RoundTripAndOrder) {
  CheckRoundTripAndOrder<RelationKey>(
      [] { return std::tuple(Num(), Str(), Str(), Num()); });
  CheckRoundTripAndOrder<RelationValue>(
      [] { return std::tuple(Num(), Num()); });
  CheckRoundTripAndOrder<RedactionKey>([] { return std::tuple(Num(), Str()); });
  CheckRoundTripAndOrder<HasChildrenKey>(
      [] { return std::tuple(Num(), Str()); });
  CheckRoundTripAndOrder<ThreadKey>(
      [] { return std::tuple(Num(), Num(), Str()); });
}

TEST(RelationKeysTest, ParentAndRelTypePrefixesSelectOnlyThem) {
  std::string parent =
      RelationKey::EncodePrefix(uint64_t{1}, std::string("$a"));
  std::string thread = RelationKey::EncodePrefix(uint64_t{1}, std::string("$a"),
                                                 std::string("m.thread"));
  std::string child = RelationKey::Encode(1, "$a", "m.thread", 7);
  EXPECT_EQ(child.rfind(parent, 0), 0u);
  EXPECT_EQ(child.rfind(thread, 0), 0u);
  // "$a" is a string prefix of "$ab" but not a key prefix of it.
  EXPECT_NE(RelationKey::Encode(1, "$ab", "m.thread", 7).rfind(parent, 0), 0u);
  EXPECT_NE(RelationKey::Encode(1, "$a", "m.threads", 7).rfind(thread, 0), 0u);
  EXPECT_NE(RelationKey::Encode(2, "$a", "m.thread", 7).rfind(parent, 0), 0u);
}

TEST(RelationKeysTest, ChildrenSortByStream) {
  EXPECT_LT(RelationKey::Encode(1, "$a", "m.thread", 9),
            RelationKey::Encode(1, "$a", "m.thread", 10));
  EXPECT_LT(ThreadKey::Encode(1, 255, "$z"), ThreadKey::Encode(1, 256, "$a"));
}

TEST(RelationKeysTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(RelationKey::Decode("\x01").ok());
  EXPECT_FALSE(RedactionKey::Decode(RedactionKey::Encode(1, "$a") + "x").ok());
  EXPECT_FALSE(ThreadKey::Decode(std::string(8, '\0')).ok());
}

}  // namespace
}  // namespace myelin::storage::keys
