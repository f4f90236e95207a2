#include "server/rooms/txn_cache.h"

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"

namespace myelin::rooms {

std::string TxnCache::Key(std::string_view user, std::string_view device,
                          std::string_view txn) {
  // NUL cannot occur in user ids or device ids.
  return absl::StrCat(AV(user), std::string(1, '\0'), AV(device),
                      std::string(1, '\0'), AV(txn));
}

std::optional<std::string> TxnCache::Find(std::string_view user,
                                          std::string_view device,
                                          std::string_view txn,
                                          int64_t now_millis) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key(user, device, txn));
  if (it == entries_.end()) return std::nullopt;
  if (now_millis - it->second.recorded_millis > ttl_millis_) return std::nullopt;
  return it->second.event_id;
}

void TxnCache::Record(std::string_view user, std::string_view device,
                      std::string_view txn, std::string event_id,
                      int64_t now_millis) {
  std::string key = Key(user, device, txn);
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    order_.erase(it->second.position);
    entries_.erase(it);
  }
  order_.push_front(key);
  entries_[key] = Entry{std::move(event_id), now_millis, order_.begin()};
  while (entries_.size() > capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
}

std::mutex& TxnCache::LockFor(std::string_view user, std::string_view device,
                              std::string_view txn) {
  return key_locks_[absl::HashOf(Key(user, device, txn)) % 32];
}

}  // namespace myelin::rooms
