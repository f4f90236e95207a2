#include "server/rooms/pdu_cache.h"

namespace myelin::rooms {

std::shared_ptr<const CachedPdu> PduCache::Get(storage::EventNid nid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(nid);
  if (it == entries_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second.position);
  return it->second.pdu;
}

void PduCache::Put(storage::EventNid nid,
                   std::shared_ptr<const CachedPdu> pdu) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(nid);
  if (it != entries_.end()) {
    it->second.pdu = std::move(pdu);
    order_.splice(order_.begin(), order_, it->second.position);
    return;
  }
  order_.push_front(nid);
  entries_[nid] = Entry{std::move(pdu), order_.begin()};
  if (entries_.size() > capacity_) {
    entries_.erase(order_.back());
    order_.pop_back();
  }
}

}  // namespace myelin::rooms
