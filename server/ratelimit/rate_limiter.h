// Token-bucket rate limits (Spec: client-server-api, "Rate limiting").
//
// A bucket holds up to `burst` tokens and refills at `per_second`; each
// request takes one, and a request finding less than one is refused with
// 429 M_LIMIT_EXCEEDED and the time until a token is back (retry_after_ms).
// RateLimiter keeps one bucket per client IP and, for authenticated
// requests, one per user: both must have a token. The admin token is never
// limited. Routes opt in with Route::rate_limit = &limiter.
//
// Memory is bounded: buckets that have refilled completely carry no state
// and are dropped when the map grows past max_keys.
//
// Thread safety: Admit() may be called from any thread.
#ifndef MYELIN_SERVER_RATELIMIT_RATE_LIMITER_H_
#define MYELIN_SERVER_RATELIMIT_RATE_LIMITER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "dag/base/clock.h"
#include "server/http/router.h"

namespace myelin::ratelimit {

struct BucketOptions {
  double per_second = 0.17;
  double burst = 3;
};

// Buckets keyed by string.
class TokenBuckets {
 public:
  // `clock` must outlive the buckets.
  TokenBuckets(BucketOptions options, const Clock* clock,
               size_t max_keys = 100000)
      : options_(options), clock_(clock), max_keys_(max_keys) {}

  // Takes a token from `key`'s bucket: 0 if one was there, else the
  // milliseconds until one will be (nothing is taken then).
  int64_t Take(std::string_view key);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ns = 0;
  };
  void Refill(Bucket& bucket, int64_t now_ns) const;
  void DropFullBuckets(int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const BucketOptions options_;
  const Clock* clock_;
  const size_t max_keys_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

// One class of limited requests (login, registration, messages...).
class RateLimiter final : public http::RequestLimiter {
 public:
  RateLimiter(std::string name, BucketOptions options, const Clock* clock)
      : name_(std::move(name)), buckets_(options, clock) {}

  absl::Status Admit(const http::Request& request) const override;

 private:
  std::string name_;
  mutable TokenBuckets buckets_;
};

}  // namespace myelin::ratelimit

#endif  // MYELIN_SERVER_RATELIMIT_RATE_LIMITER_H_
