// The clock seam. Code that needs "now" takes a Clock&, so tests pass a
// FakeClock and dag/ stays free of real time.
#ifndef MYELIN_DAG_BASE_CLOCK_H_
#define MYELIN_DAG_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace myelin {

// Thread-safe: implementations may be read from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (the unit of origin_server_ts).
  virtual int64_t NowMillis() const = 0;
  // A monotonic reading in nanoseconds, for durations and timeouts only.
  virtual int64_t MonotonicNanos() const = 0;
};

// The wall clock of the machine. Stateless; one shared instance.
class SystemClock final : public Clock {
 public:
  static const SystemClock& Get();
  int64_t NowMillis() const override;
  int64_t MonotonicNanos() const override;
};

// A clock that only moves when told. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_millis = 1'700'000'000'000)
      : now_millis_(now_millis) {}
  int64_t NowMillis() const override { return now_millis_.load(); }
  int64_t MonotonicNanos() const override {
    return now_millis_.load() * 1'000'000;
  }
  void Advance(int64_t millis) { now_millis_ += millis; }
  void Set(int64_t now_millis) { now_millis_ = now_millis; }

 private:
  std::atomic<int64_t> now_millis_;
};

}  // namespace myelin

#endif  // MYELIN_DAG_BASE_CLOCK_H_
