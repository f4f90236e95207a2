// Transaction ids of PUT /send and /redact, for idempotency (Spec:
// client-server-api, "Transaction identifiers"): the same (user, device,
// txn id) returns the event of the first request instead of sending again.
//
// The in-memory fast path, bounded and expiring after a day. The durable
// record is in the event store (PersistRequest::txn, written in the event's
// batch), which answers retries the cache no longer knows — after a restart
// or a crash.
// Thread-safe.
#ifndef MYELIN_SERVER_ROOMS_TXN_CACHE_H_
#define MYELIN_SERVER_ROOMS_TXN_CACHE_H_

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace myelin::rooms {

class TxnCache {
 public:
  explicit TxnCache(size_t capacity = 100'000,
                    int64_t ttl_millis = 24 * 3600 * 1000)
      : capacity_(capacity), ttl_millis_(ttl_millis) {}

  // The event id recorded for the key, if any and not expired.
  std::optional<std::string> Find(std::string_view user, std::string_view device,
                                  std::string_view txn, int64_t now_millis);
  void Record(std::string_view user, std::string_view device,
              std::string_view txn, std::string event_id, int64_t now_millis);

  // Serialises requests with the same key so a retry arriving while the
  // first is still being sent waits for it instead of sending twice.
  std::mutex& LockFor(std::string_view user, std::string_view device,
                      std::string_view txn);

 private:
  struct Entry {
    std::string event_id;
    int64_t recorded_millis;
    std::list<std::string>::iterator position;
  };
  static std::string Key(std::string_view user, std::string_view device,
                         std::string_view txn);

  const size_t capacity_;
  const int64_t ttl_millis_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_;  // Guarded by mu_.
  std::list<std::string> order_;                     // Oldest last.
  std::mutex key_locks_[32];
};

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_TXN_CACHE_H_
