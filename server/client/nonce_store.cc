#include "server/client/nonce_store.h"

#include "server/client/account_crypto.h"

namespace myelin::client {

std::string NonceStore::Issue() {
  std::string nonce = NewOpaqueId();
  int64_t now = clock_->NowMillis();
  absl::MutexLock lock(&mu_);
  if (expiry_.size() >= max_nonces_) {
    for (auto it = expiry_.begin(); it != expiry_.end();) {
      if (it->second <= now) {
        expiry_.erase(it++);
      } else {
        ++it;
      }
    }
    // Still full: someone is hoarding nonces; forget them all.
    if (expiry_.size() >= max_nonces_) expiry_.clear();
  }
  expiry_[nonce] = now + ttl_ms_;
  return nonce;
}

bool NonceStore::Consume(std::string_view nonce) {
  absl::MutexLock lock(&mu_);
  auto it = expiry_.find(std::string(nonce));
  if (it == expiry_.end()) return false;
  bool valid = it->second > clock_->NowMillis();
  expiry_.erase(it);
  return valid;
}

}  // namespace myelin::client
