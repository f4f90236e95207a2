// The server's rate-limit classes, built from the config. A class is
// nullptr when rate limiting is switched off, so routes simply leave
// Route::rate_limit unset.
#ifndef MYELIN_SERVER_RATELIMIT_LIMITS_H_
#define MYELIN_SERVER_RATELIMIT_LIMITS_H_

#include <memory>

#include "dag/base/clock.h"
#include "server/config/config.h"
#include "server/ratelimit/rate_limiter.h"

namespace myelin::ratelimit {

struct Limits {
  std::unique_ptr<RateLimiter> login;         // /login, /refresh, password
  std::unique_ptr<RateLimiter> registration;  // /register and friends
  std::unique_ptr<RateLimiter> message;       // routes that send events
  std::unique_ptr<RateLimiter> availability;  // username/token checks

  // `clock` must outlive the limits.
  static Limits FromConfig(const config::RateLimiting& config,
                           const Clock* clock) {
    Limits limits;
    if (!config.enabled) return limits;
    auto make = [clock](const char* name, const config::RateLimit& limit) {
      return std::make_unique<RateLimiter>(
          name, BucketOptions{limit.per_second, limit.burst}, clock);
    };
    limits.login = make("login", config.login);
    limits.registration = make("registration", config.registration);
    limits.message = make("message", config.message);
    limits.availability = make("availability", config.availability);
    return limits;
  }
};

}  // namespace myelin::ratelimit

#endif  // MYELIN_SERVER_RATELIMIT_LIMITS_H_
