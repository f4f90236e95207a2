#include "storage/database_info.h"

#include "gtest/gtest.h"

namespace myelin::storage {
namespace {

DatabaseInfo Sample() {
  return DatabaseInfo{.server_name = "example.org",
                      .created_at_ms = 1'700'000'000'123,
                      .created_schema_version = 1,
                      .created_by = "myelin"};
}

TEST(DatabaseInfoTest, RoundTripsThroughCapnp) {
  std::string bytes = EncodeDatabaseInfo(Sample());
  EXPECT_EQ(bytes.size() % 8, 0u);
  auto decoded = DecodeDatabaseInfo(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, Sample());
}

TEST(DatabaseInfoTest, EmptyRecordRoundTrips) {
  auto decoded = DecodeDatabaseInfo(EncodeDatabaseInfo(DatabaseInfo{}));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, DatabaseInfo{});
}

TEST(DatabaseInfoTest, MalformedBytesAreDataLossNotCrash) {
  std::string bytes = EncodeDatabaseInfo(Sample());
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto decoded = DecodeDatabaseInfo(bytes.substr(0, len));
    if (!decoded.ok()) {
      EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
    }
  }
  std::string garbage(64, '\xA5');
  auto decoded = DecodeDatabaseInfo(garbage);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace myelin::storage
