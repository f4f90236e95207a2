#include "dag/state_res/event_graph.h"

#include "dag/base/strings.h"

namespace myelin {

EventGraph::EventGraph(const StateResCallbacks& callbacks)
    : callbacks_(callbacks) {}

std::optional<uint32_t> EventGraph::Index(std::string_view event_id) {
  auto it = index_.find(AV(event_id));
  if (it != index_.end()) return it->second;
  if (missing_.contains(AV(event_id))) return std::nullopt;
  const Pdu* pdu = callbacks_.fetch(event_id);
  if (pdu == nullptr) {
    missing_.emplace(event_id);
    return std::nullopt;
  }
  const uint32_t i = static_cast<uint32_t>(nodes_.size());
  const bool rejected =
      callbacks_.is_rejected && callbacks_.is_rejected(event_id);
  nodes_.push_back(Node{pdu, rejected});
  index_.emplace(std::string(event_id), i);
  return i;
}

const std::vector<uint32_t>& EventGraph::AuthEdges(uint32_t i) {
  if (!nodes_[i].edges_done) {
    std::vector<uint32_t> edges;
    const std::vector<std::string>& ids = nodes_[i].pdu->auth_events();
    edges.reserve(ids.size());
    for (const std::string& id : ids) {
      if (std::optional<uint32_t> j = Index(id)) edges.push_back(*j);
    }
    nodes_[i].edges = std::move(edges);
    nodes_[i].edges_done = true;
  }
  return nodes_[i].edges;
}

std::vector<uint32_t> EventGraph::AuthChainUnion(
    std::span<const uint32_t> roots) {
  ++epoch_;
  std::vector<uint32_t> out;
  std::vector<uint32_t> stack;
  auto visit = [&](uint32_t j) {
    if (visited_.size() <= j) visited_.resize(nodes_.size() * 2 + 16, 0);
    if (visited_[j] == epoch_) return;
    visited_[j] = epoch_;
    out.push_back(j);
    stack.push_back(j);
  };
  for (uint32_t r : roots) {
    for (uint32_t j : AuthEdges(r)) visit(j);
  }
  while (!stack.empty()) {
    const uint32_t j = stack.back();
    stack.pop_back();
    for (uint32_t k : AuthEdges(j)) visit(k);
  }
  return out;
}

}  // namespace myelin
