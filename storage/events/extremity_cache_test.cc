#include "storage/events/extremity_cache.h"

#include "gtest/gtest.h"

namespace myelin::storage {
namespace {

TEST(ExtremityCacheTest, MissThenFillThenApply) {
  ExtremityCache cache;
  ExtremityCache::Lookup miss = cache.Get(1);
  EXPECT_FALSE(miss.extremities.has_value());
  cache.Fill(1, miss.version, {9, 4});
  EXPECT_EQ(cache.Get(1).extremities, (std::vector<EventNid>{4, 9}));
  // Event 10 follows 4 and 9: a merge.
  cache.Apply(1, {4, 9}, 10);
  EXPECT_EQ(cache.Get(1).extremities, (std::vector<EventNid>{10}));
  // Event 11 has an unknown prev: a second tip.
  cache.Apply(1, {}, 11);
  EXPECT_EQ(cache.Get(1).extremities, (std::vector<EventNid>{10, 11}));
  // Other rooms are separate.
  EXPECT_FALSE(cache.Get(2).extremities.has_value());
}

TEST(ExtremityCacheTest, AReadOlderThanACommitIsNotStored) {
  ExtremityCache cache;
  ExtremityCache::Lookup before = cache.Get(1);
  // A commit lands while the reader is still scanning RocksDB...
  cache.Apply(1, {4}, 5);
  // ...so what the reader found ({4}) is stale and must not be cached.
  cache.Fill(1, before.version, {4});
  EXPECT_FALSE(cache.Get(1).extremities.has_value());
  ExtremityCache::Lookup fresh = cache.Get(1);
  cache.Fill(1, fresh.version, {5});
  EXPECT_EQ(cache.Get(1).extremities, (std::vector<EventNid>{5}));
}

}  // namespace
}  // namespace myelin::storage
