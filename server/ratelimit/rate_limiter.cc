#include "server/ratelimit/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "dag/base/matrix_error.h"
#include "dag/base/strings.h"

namespace myelin::ratelimit {

void TokenBuckets::Refill(Bucket& bucket, int64_t now_ns) const {
  double elapsed_s = static_cast<double>(now_ns - bucket.updated_ns) / 1e9;
  if (elapsed_s > 0) {
    bucket.tokens = std::min(options_.burst,
                             bucket.tokens + elapsed_s * options_.per_second);
  }
  bucket.updated_ns = now_ns;
}

void TokenBuckets::DropFullBuckets(int64_t now_ns) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now_ns);
    if (it->second.tokens >= options_.burst) {
      buckets_.erase(it++);
    } else {
      ++it;
    }
  }
}

int64_t TokenBuckets::Take(std::string_view key) {
  int64_t now_ns = clock_->MonotonicNanos();
  absl::MutexLock lock(&mu_);
  if (buckets_.size() >= max_keys_) DropFullBuckets(now_ns);
  auto [it, inserted] = buckets_.try_emplace(std::string(key));
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = options_.burst;
    bucket.updated_ns = now_ns;
  }
  Refill(bucket, now_ns);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  if (options_.per_second <= 0) return INT64_C(3600) * 1000;
  double wait_s = (1 - bucket.tokens) / options_.per_second;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s * 1000)));
}

absl::Status RateLimiter::Admit(const http::Request& request) const {
  if (request.principal.admin) return absl::OkStatus();
  int64_t wait = buckets_.Take(absl::StrCat("ip:", request.remote_address));
  if (wait == 0 && !request.principal.user_id.empty()) {
    wait = buckets_.Take(absl::StrCat("user:", request.principal.user_id));
  }
  if (wait == 0) return absl::OkStatus();
  return LimitExceeded(absl::StrCat("Too many ", name_, " requests"), wait);
}

}  // namespace myelin::ratelimit
