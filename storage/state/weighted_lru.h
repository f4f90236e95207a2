// WeightedLru: a thread-safe LRU map from u64 to shared immutable values,
// bounded by the sum of the values' weights (state entries, for snapshots).
#ifndef MYELIN_STORAGE_STATE_WEIGHTED_LRU_H_
#define MYELIN_STORAGE_STATE_WEIGHTED_LRU_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace myelin::storage {

template <typename V>
class WeightedLru {
 public:
  explicit WeightedLru(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const V> Get(uint64_t key) {
    absl::MutexLock lock(&mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->value;
  }

  // A value heavier than the whole cache is not kept: it would evict
  // everything for nothing.
  void Put(uint64_t key, std::shared_ptr<const V> value, size_t weight) {
    if (weight > capacity_) return;
    absl::MutexLock lock(&mu_);
    if (index_.contains(key)) return;
    lru_.push_front({key, std::move(value), weight});
    index_[key] = lru_.begin();
    weight_ += weight;
    while (weight_ > capacity_ && !lru_.empty()) {
      weight_ -= lru_.back().weight;
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }

  size_t weight() const {
    absl::MutexLock lock(&mu_);
    return weight_;
  }

 private:
  struct Node {
    uint64_t key;
    std::shared_ptr<const V> value;
    size_t weight;
  };
  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::list<Node> lru_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, typename std::list<Node>::iterator> index_
      ABSL_GUARDED_BY(mu_);
  size_t weight_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_STATE_WEIGHTED_LRU_H_
