#include "bench/http/latency_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace myelin::bench {

// Layout: indices [0, 2 * kSubBuckets) hold values exactly. Above that, a
// value whose highest set bit is b is shifted right by s = b - kSubBucketBits,
// leaving a mantissa in [kSubBuckets, 2 * kSubBuckets); its index is
// s * kSubBuckets + mantissa, so octaves follow one another without gaps.
size_t LatencyHistogram::BucketIndex(uint64_t value) {
  if (value < 2 * kSubBuckets) return static_cast<size_t>(value);
  const int shift = std::bit_width(value) - 1 - kSubBucketBits;
  return static_cast<size_t>(shift) * kSubBuckets + (value >> shift);
}

uint64_t LatencyHistogram::BucketLowest(size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const int shift = static_cast<int>(index / kSubBuckets) - 1;
  const uint64_t mantissa = index % kSubBuckets + kSubBuckets;
  return mantissa << shift;
}

uint64_t LatencyHistogram::BucketHighest(size_t index) {
  if (index + 1 >= kBucketCount) return UINT64_MAX;
  return BucketLowest(index + 1) - 1;
}

void LatencyHistogram::Record(uint64_t value) {
  ++counts_[BucketIndex(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

double LatencyHistogram::mean() const {
  if (count_ == 0) return 0;
  return static_cast<double>(sum_ / count_);
}

uint64_t LatencyHistogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 0) return min();
  // Rank of the sample sought, 1-based; at least the first sample.
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(
             std::ceil(percentile / 100.0 * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(BucketHighest(i), min(), max_);
    }
  }
  return max_;
}

}  // namespace myelin::bench
