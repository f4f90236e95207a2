#include "storage/keys/membership_keys.h"

#include "gtest/gtest.h"

namespace myelin::storage::keys {
namespace {

TEST(MembershipKeysTest, ForgottenKeyRoundTrips) {
  std::string key = ForgottenKey::Encode("@alice:example.org", 42);
  auto decoded = ForgottenKey::Decode(key);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<0>(*decoded), "@alice:example.org");
  EXPECT_EQ(std::get<1>(*decoded), 42u);
  EXPECT_FALSE(ForgottenKey::Decode(key.substr(0, key.size() - 1)).ok());
}

TEST(MembershipKeysTest, OneUsersRoomsShareAPrefixAndSortByRoom) {
  std::string prefix = ForgottenKey::EncodePrefix("@a:x");
  std::string low = ForgottenKey::Encode("@a:x", 2);
  std::string high = ForgottenKey::Encode("@a:x", 300);
  std::string other = ForgottenKey::Encode("@a:xy", 1);
  EXPECT_EQ(low.compare(0, prefix.size(), prefix), 0);
  EXPECT_EQ(high.compare(0, prefix.size(), prefix), 0);
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
  EXPECT_LT(low, high);
}

}  // namespace
}  // namespace myelin::storage::keys
