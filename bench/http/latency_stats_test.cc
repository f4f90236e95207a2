#include "bench/http/latency_stats.h"

#include <cstdint>
#include <random>

#include "gtest/gtest.h"

namespace myelin::bench {
namespace {

using H = LatencyHistogram;

// Relative error every reported value is allowed: one sub-bucket.
constexpr double kPrecision = 1.0 / H::kSubBuckets;

TEST(LatencyHistogramTest, EmptyReportsZero) {
  H h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndOrdered) {
  for (size_t i = 0; i + 1 < H::kBucketCount; ++i) {
    ASSERT_LE(H::BucketLowest(i), H::BucketHighest(i)) << i;
    ASSERT_EQ(H::BucketHighest(i) + 1, H::BucketLowest(i + 1)) << i;
    ASSERT_EQ(H::BucketIndex(H::BucketLowest(i)), i) << i;
    ASSERT_EQ(H::BucketIndex(H::BucketHighest(i)), i) << i;
  }
  EXPECT_EQ(H::BucketIndex(UINT64_MAX), H::kBucketCount - 1);
  EXPECT_EQ(H::BucketHighest(H::kBucketCount - 1), UINT64_MAX);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  for (uint64_t v = 0; v < 2 * H::kSubBuckets; ++v) {
    EXPECT_EQ(H::BucketLowest(H::BucketIndex(v)), v);
    EXPECT_EQ(H::BucketHighest(H::BucketIndex(v)), v);
  }
}

TEST(LatencyHistogramTest, BucketWidthWithinPrecision) {
  for (size_t i = 0; i + 1 < H::kBucketCount; ++i) {
    const double lo = static_cast<double>(H::BucketLowest(i));
    const double hi = static_cast<double>(H::BucketHighest(i));
    ASSERT_LE(hi - lo, lo * kPrecision) << i;
  }
}

TEST(LatencyHistogramTest, UniformOneToTenThousand) {
  H h;
  for (uint64_t v = 1; v <= 10000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 10000u);
  EXPECT_DOUBLE_EQ(h.mean(), 5000.5);
  EXPECT_NEAR(h.ValueAtPercentile(50), 5000, 5000 * kPrecision);
  EXPECT_NEAR(h.ValueAtPercentile(90), 9000, 9000 * kPrecision);
  EXPECT_NEAR(h.ValueAtPercentile(99), 9900, 9900 * kPrecision);
  EXPECT_EQ(h.ValueAtPercentile(0), 1u);
  EXPECT_EQ(h.ValueAtPercentile(100), 10000u);
  // Reported values never undershoot the true percentile.
  EXPECT_GE(h.ValueAtPercentile(50), 5000u);
  EXPECT_GE(h.ValueAtPercentile(99), 9900u);
}

TEST(LatencyHistogramTest, SkewedSamplesFindTheTail) {
  // 98 fast requests at 100 us and 2 slow ones at 50 ms (in ns): p50 is
  // fast, p99 must land on the slow ones.
  H h;
  for (int i = 0; i < 98; ++i) h.Record(100'000);
  for (int i = 0; i < 2; ++i) h.Record(50'000'000);
  EXPECT_NEAR(h.ValueAtPercentile(50), 100'000, 100'000 * kPrecision);
  EXPECT_NEAR(h.ValueAtPercentile(98), 100'000, 100'000 * kPrecision);
  EXPECT_NEAR(h.ValueAtPercentile(99), 50'000'000, 50'000'000 * kPrecision);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(LatencyHistogramTest, SingleValueIsReportedExactlyAtEveryPercentile) {
  H h;
  h.Record(123'456'789);
  for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) {
    EXPECT_EQ(h.ValueAtPercentile(p), 123'456'789u) << p;
  }
}

TEST(LatencyHistogramTest, OutOfRangePercentilesAreClamped) {
  H h;
  h.Record(10);
  h.Record(20);
  EXPECT_EQ(h.ValueAtPercentile(-5), 10u);
  EXPECT_EQ(h.ValueAtPercentile(250), 20u);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(11.0, 1.0);  // ~60 us median
  H a, b, all;
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_NEAR(a.mean(), all.mean(), 1e-6 * all.mean());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  }
}

TEST(LatencyHistogramTest, MergingAnEmptyHistogramChangesNothing) {
  H a, empty;
  a.Record(7);
  a.Merge(empty);
  EXPECT_EQ(a.count(), 1u);
  EXPECT_EQ(a.min(), 7u);
  EXPECT_EQ(a.max(), 7u);
}

}  // namespace
}  // namespace myelin::bench
