#include "storage/keys/backup_keys.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "gtest/gtest.h"
#include "storage/keys/key_testing.h"

namespace myelin::storage::keys {
namespace {

using testing::CheckRoundTripAndOrder;

std::mt19937_64 rng(91);

std::string Id() {
  static const char* kIds[] = {"", "@a:x", "@a\0b:x", "@ab:x", "!r:x", "sess"};
  static const size_t kSizes[] = {0, 4, 6, 5, 4, 4};
  size_t i = rng() % 6;
  return std::string(kIds[i], kSizes[i]);
}

uint64_t Version() {
  static const uint64_t kVersions[] = {0, 1, 2, 255, 256, ~uint64_t{0}};
  return kVersions[rng() % 6];
}

TEST(BackupKeysTest, RoundTripAndOrder) {
  CheckRoundTripAndOrder<BackupVersionKey>(
      [] { return std::tuple(Id(), Version()); });
  CheckRoundTripAndOrder<BackupRoomKeyKey>(
      [] { return std::tuple(Id(), Version(), Id(), Id()); });
}

TEST(BackupKeysTest, LayoutsMatchTheRegistry) {
  EXPECT_EQ(BackupVersionKey::Layout(), "str.u64");
  EXPECT_EQ(BackupRoomKeyKey::Layout(), "str.u64.str.str");
}

TEST(BackupKeysTest, PrefixesSelectOneUserVersionAndRoom) {
  std::string user = BackupVersionKey::EncodePrefix(std::string("@a:x"));
  EXPECT_EQ(BackupVersionKey::Encode("@a:x", 7).rfind(user, 0), 0u);
  // "@a:x" is a string prefix of "@a:xy", but not a key prefix of it.
  EXPECT_NE(BackupVersionKey::Encode("@a:xy", 7).rfind(user, 0), 0u);

  std::string version =
      BackupRoomKeyKey::EncodePrefix(std::string("@a:x"), uint64_t{2});
  EXPECT_EQ(BackupRoomKeyKey::Encode("@a:x", 2, "!r:x", "s").rfind(version, 0),
            0u);
  EXPECT_NE(BackupRoomKeyKey::Encode("@a:x", 3, "!r:x", "s").rfind(version, 0),
            0u);
  std::string room = BackupRoomKeyKey::EncodePrefix(std::string("@a:x"),
                                                    uint64_t{2},
                                                    std::string("!r:x"));
  EXPECT_EQ(BackupRoomKeyKey::Encode("@a:x", 2, "!r:x", "s").rfind(room, 0), 0u);
  EXPECT_NE(BackupRoomKeyKey::Encode("@a:x", 2, "!r:xy", "s").rfind(room, 0),
            0u);
  // Versions sort numerically: the last key of a user is the newest version.
  EXPECT_LT(BackupVersionKey::Encode("@a:x", 9),
            BackupVersionKey::Encode("@a:x", 10));
}

TEST(BackupKeysTest, DecodeRejectsGarbage) {
  EXPECT_FALSE(BackupVersionKey::Decode("\x01").ok());
  EXPECT_FALSE(
      BackupVersionKey::Decode(BackupVersionKey::Encode("@a:x", 1) + "x").ok());
  std::string truncated = BackupRoomKeyKey::Encode("@a:x", 1, "!r:x", "s");
  truncated.pop_back();
  EXPECT_FALSE(BackupRoomKeyKey::Decode(truncated).ok());
}

}  // namespace
}  // namespace myelin::storage::keys
