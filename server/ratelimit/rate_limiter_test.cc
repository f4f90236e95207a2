#include "server/ratelimit/rate_limiter.h"

#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"

namespace myelin::ratelimit {
namespace {

TEST(TokenBucketsTest, BurstThenRefill) {
  FakeClock clock;
  TokenBuckets buckets({/*per_second=*/2, /*burst=*/3}, &clock);
  EXPECT_EQ(buckets.Take("a"), 0);
  EXPECT_EQ(buckets.Take("a"), 0);
  EXPECT_EQ(buckets.Take("a"), 0);
  EXPECT_EQ(buckets.Take("a"), 500);  // one token per 500 ms
  EXPECT_EQ(buckets.Take("b"), 0);    // keys are independent
  clock.Advance(250);
  EXPECT_EQ(buckets.Take("a"), 250);
  clock.Advance(250);
  EXPECT_EQ(buckets.Take("a"), 0);
  clock.Advance(60'000);  // never above the burst
  for (int i = 0; i < 3; ++i) EXPECT_EQ(buckets.Take("a"), 0);
  EXPECT_GT(buckets.Take("a"), 0);
}

TEST(TokenBucketsTest, FullBucketsAreDroppedWhenTheMapIsFull) {
  FakeClock clock;
  TokenBuckets buckets({1, 1}, &clock, /*max_keys=*/2);
  EXPECT_EQ(buckets.Take("a"), 0);
  EXPECT_EQ(buckets.Take("b"), 0);
  clock.Advance(5000);
  EXPECT_EQ(buckets.Take("c"), 0);  // drops a and b, which have refilled
  EXPECT_EQ(buckets.Take("a"), 0);
}

TEST(RateLimiterTest, PerIpAndPerUserAdminExempt) {
  FakeClock clock;
  RateLimiter limiter("login", {0.1, 1}, &clock);
  http::Request request;
  request.remote_address = "10.0.0.1";
  EXPECT_TRUE(limiter.Admit(request).ok());
  absl::Status refused = limiter.Admit(request);
  EXPECT_EQ(ErrcodeOf(refused), "M_LIMIT_EXCEEDED");
  EXPECT_EQ(MatrixErrorOf(refused).retry_after_ms.value_or(0), 10'000);

  // Another IP, but the same user as an earlier request from a third IP.
  request.principal.user_id = "@a:x";
  request.remote_address = "10.0.0.2";
  EXPECT_TRUE(limiter.Admit(request).ok());
  request.remote_address = "10.0.0.3";
  EXPECT_FALSE(limiter.Admit(request).ok());

  request.principal.admin = true;
  EXPECT_TRUE(limiter.Admit(request).ok());
}

}  // namespace
}  // namespace myelin::ratelimit
