// Single-use, short-lived nonces for shared-secret registration (Synapse's
// /_synapse/admin/v1/register). In memory: a nonce lives a minute, and a
// restart simply makes the admin tool fetch a new one.
//
// Thread safety: all methods may be called from any thread.
#ifndef MYELIN_SERVER_CLIENT_NONCE_STORE_H_
#define MYELIN_SERVER_CLIENT_NONCE_STORE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "dag/base/clock.h"

namespace myelin::client {

class NonceStore {
 public:
  // `clock` must outlive the store. At most `max_nonces` live at once; the
  // oldest are then forgotten first (all of them expire soon anyway).
  explicit NonceStore(const Clock* clock, int64_t ttl_ms = 60'000,
                      size_t max_nonces = 10'000)
      : clock_(clock), ttl_ms_(ttl_ms), max_nonces_(max_nonces) {}

  std::string Issue();
  // True once for an issued, unexpired nonce; it is forgotten either way.
  bool Consume(std::string_view nonce);

 private:
  const Clock* clock_;
  const int64_t ttl_ms_;
  const size_t max_nonces_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> expiry_ ABSL_GUARDED_BY(mu_);
};

}  // namespace myelin::client

#endif  // MYELIN_SERVER_CLIENT_NONCE_STORE_H_
