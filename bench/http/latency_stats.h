// A fixed-size latency histogram in the style of HdrHistogram: values below
// 2 * kSubBuckets are counted exactly, larger ones in log2 octaves each split
// into kSubBuckets linear buckets, so every recorded value is kept to within
// 1 / kSubBuckets (under 0.8 %) of its true value whatever its magnitude. The
// memory is fixed (about 60 KB) no matter how many samples are recorded,
// which is what lets a load generator record every request of a long run.
//
// Units are the caller's; the load generator records nanoseconds.
//
// Thread safety: none. Keep one histogram per thread and Merge() at the end.
#ifndef MYELIN_BENCH_HTTP_LATENCY_STATS_H_
#define MYELIN_BENCH_HTTP_LATENCY_STATS_H_

#include <array>
#include <cstddef>
#include <cstdint>

namespace myelin::bench {

class LatencyHistogram {
 public:
  // log2 of the linear buckets per octave; sets the precision.
  static constexpr int kSubBucketBits = 7;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
  // Octaves above the exact range, up to 2^64.
  static constexpr size_t kBucketCount =
      (64 - kSubBucketBits + 1) * kSubBuckets;

  void Record(uint64_t value);
  // Adds every sample of `other` to this histogram.
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // 0 when empty.
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;

  // The smallest recorded value v such that at least `percentile` % of the
  // samples are <= v, reported as the highest value of v's bucket (never above
  // max()). `percentile` is clamped to [0, 100]; 0 gives min(). Returns 0 when
  // the histogram is empty.
  uint64_t ValueAtPercentile(double percentile) const;

  // Bucket arithmetic, exposed for tests.
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketLowest(size_t index);
  static uint64_t BucketHighest(size_t index);

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  // long double: a sum of nanoseconds over a long run can exceed 2^64 only in
  // theory, but the mean should not silently wrap if it does.
  long double sum_ = 0;
};

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_HTTP_LATENCY_STATS_H_
