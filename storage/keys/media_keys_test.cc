#include "storage/keys/media_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(17);

std::string Str() {
  static const char* kStrs[] = {"", "example.org", "a\0b", "ab", "crop", "scale"};
  static const size_t kSizes[] = {0, 11, 3, 2, 4, 5};
  size_t i = rng() % 6;
  return std::string(kStrs[i], kSizes[i]);
}

uint64_t U64() {
  static const uint64_t kValues[] = {0, 1, 2, 255, 256, ~uint64_t{0}};
  return kValues[rng() % 6];
}

uint32_t U32() {
  static const uint32_t kValues[] = {0, 1, 32, 96, 800, ~uint32_t{0}};
  return kValues[rng() % 6];
}

int64_t I64() {
  static const int64_t kValues[] = {INT64_MIN, -1, 0, 1, 1700000000000,
                                    INT64_MAX};
  return kValues[rng() % 6];
}

TEST(MediaKeysTest, RoundTripAndOrder) {
  CheckRoundTripAndOrder<MediaChunkKey>([] { return std::tuple(U64(), U64()); });
  CheckRoundTripAndOrder<MediaIdKey>([] { return std::tuple(Str(), Str()); });
  CheckRoundTripAndOrder<Sha256Key>([] { return std::tuple(Str()); });
  CheckRoundTripAndOrder<BlobRefValue>([] { return std::tuple(U64(), U64()); });
  CheckRoundTripAndOrder<PendingValue>([] { return std::tuple(Str(), I64()); });
  CheckRoundTripAndOrder<ThumbnailKey>([] {
    return std::tuple(Str(), Str(), U32(), U32(), Str(),
                      static_cast<uint8_t>(rng() % 2));
  });
  CheckRoundTripAndOrder<UserMediaKey>(
      [] { return std::tuple(Str(), Str(), Str()); });
  CheckRoundTripAndOrder<WritingBlobKey>([] { return std::tuple(U64()); });
}

// One blob's chunks lie in [(b, 0), (b + 1, 0)), and a media id's thumbnails
// under its (server, media id) prefix, whatever the neighbours are.
TEST(MediaKeysTest, RangesHoldExactlyTheirRows) {
  EXPECT_LT(MediaChunkKey::Encode(6, ~uint64_t{0}), MediaChunkKey::Encode(7, 0));
  EXPECT_GE(MediaChunkKey::Encode(7, 0), MediaChunkKey::Encode(7, 0));
  std::string prefix = ThumbnailKey::EncodePrefix(std::string("s"),
                                                  std::string("m"));
  std::string thumb = ThumbnailKey::Encode("s", "m", 32, 32, "crop", 1);
  std::string other = ThumbnailKey::Encode("s", "m2", 0, 0, "", 0);
  EXPECT_EQ(thumb.compare(0, prefix.size(), prefix), 0);
  EXPECT_NE(other.compare(0, prefix.size(), prefix), 0);
}

TEST(MediaKeysTest, LayoutsMatchTheRegistry) {
  EXPECT_EQ(MediaChunkKey::Layout(), "u64.u64");
  EXPECT_EQ(MediaIdKey::Layout(), "str.str");
  EXPECT_EQ(Sha256Key::Layout(), "str");
  EXPECT_EQ(ThumbnailKey::Layout(), "str.str.u32.u32.str.u8");
  EXPECT_EQ(UserMediaKey::Layout(), "str.str.str");
  EXPECT_EQ(WritingBlobKey::Layout(), "u64");
}

}  // namespace
}  // namespace myelin::storage::keys
