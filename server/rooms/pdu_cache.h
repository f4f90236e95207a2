// A bounded cache of parsed events (event nid -> Pdu plus its `hashes`), so
// authorising a send does not re-parse the room's power levels, join rules
// and members from JSON every time. Thread-safe.
#ifndef MYELIN_SERVER_ROOMS_PDU_CACHE_H_
#define MYELIN_SERVER_ROOMS_PDU_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

#include "absl/container/flat_hash_map.h"
#include "boost/json/object.hpp"
#include "dag/pdu/pdu.h"
#include "storage/events/types.h"

namespace myelin::rooms {

struct CachedPdu {
  Pdu pdu;
  // The event's `hashes`, referenced by v1/v2 prev_events/auth_events.
  boost::json::object hashes;
};

class PduCache {
 public:
  explicit PduCache(size_t capacity) : capacity_(capacity) {}

  std::shared_ptr<const CachedPdu> Get(storage::EventNid nid);
  void Put(storage::EventNid nid, std::shared_ptr<const CachedPdu> pdu);

 private:
  using Order = std::list<storage::EventNid>;  // Most recent first.
  struct Entry {
    std::shared_ptr<const CachedPdu> pdu;
    Order::iterator position;
  };

  const size_t capacity_;
  std::mutex mu_;
  absl::flat_hash_map<storage::EventNid, Entry> entries_;  // Guarded by mu_.
  Order order_;                                            // Guarded by mu_.
};

}  // namespace myelin::rooms

#endif  // MYELIN_SERVER_ROOMS_PDU_CACHE_H_
