// The auth DAG as seen by state resolution: events get dense indices on
// first sight, and their fetched Pdu, auth edges and rejection flag are
// memoised, so each event id is hashed and fetched once per graph.
//
// Not thread-safe: one graph per resolution (or per caller thread).
#ifndef MYELIN_DAG_STATE_RES_EVENT_GRAPH_H_
#define MYELIN_DAG_STATE_RES_EVENT_GRAPH_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "dag/pdu/pdu.h"
#include "dag/state_res/state_res.h"

namespace myelin {

class EventGraph {
 public:
  // REQUIRES: callbacks.fetch is set; `callbacks` outlives the graph.
  explicit EventGraph(const StateResCallbacks& callbacks);

  // The index of `event_id`, fetching it on first sight; nullopt when the
  // event is unknown.
  std::optional<uint32_t> Index(std::string_view event_id);

  const Pdu& pdu(uint32_t i) const { return *nodes_[i].pdu; }
  size_t size() const { return nodes_.size(); }
  bool rejected(uint32_t i) const { return nodes_[i].rejected; }

  // Indices of the event's auth_events that are known (memoised).
  const std::vector<uint32_t>& AuthEdges(uint32_t i);

  // The auth chain of the set `roots`: every event reachable through
  // auth_events from a root in one or more steps. One DFS; O(result).
  std::vector<uint32_t> AuthChainUnion(std::span<const uint32_t> roots);

 private:
  struct Node {
    const Pdu* pdu;
    bool rejected;
    bool edges_done = false;
    std::vector<uint32_t> edges;
  };

  const StateResCallbacks& callbacks_;
  absl::flat_hash_map<std::string, uint32_t> index_;
  absl::flat_hash_set<std::string> missing_;
  std::deque<Node> nodes_;  // deque: AuthEdges() references stay valid
  // DFS scratch: visited_[i] == epoch_ means visited in the current walk.
  std::vector<uint32_t> visited_;
  uint32_t epoch_ = 0;
};

}  // namespace myelin

#endif  // MYELIN_DAG_STATE_RES_EVENT_GRAPH_H_
