#include "dag/state_res/fixture_room.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"

namespace myelin {
namespace {

absl::StatusOr<boost::json::value> ParseJson(const std::string& text) {
  std::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return absl::InvalidArgumentError(ec.message());
  return v;
}

StateMap Single(const Pdu& pdu) {
  StateMap m;
  m.emplace(StateKey(pdu.type(), pdu.state_key().value_or("")), pdu.event_id());
  return m;
}

}  // namespace

absl::StatusOr<std::string> ReadStateResFixture(const std::string& relative) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  std::string path = absl::StrCat(
      srcdir ? srcdir : ".", "/myelin/tests/fixtures/state-res/", relative);
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Render(const StateMap& state) {
  std::vector<std::string> out;
  for (const auto& [key, id] : state) {
    out.push_back(absl::StrCat(key.first, "|", key.second, "|", id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<std::string>> LoadSnapshot(const std::string& name) {
  ASSIGN_OR_RETURN(std::string text,
                   ReadStateResFixture(absl::StrCat("snapshots/", name,
                                                    "@resolved_state.snap")));
  // Skip the "---\n…\n---\n" header.
  size_t start = text.find("---", 3);
  if (start == std::string::npos) return absl::InvalidArgumentError("header");
  ASSIGN_OR_RETURN(boost::json::value v, ParseJson(text.substr(start + 3)));
  std::vector<std::string> out;
  for (const boost::json::value& e : v.as_array()) {
    const boost::json::object& o = e.as_object();
    out.push_back(absl::StrCat(AV(o.at("type").as_string()), "|",
                               AV(o.at("state_key").as_string()), "|",
                               AV(o.at("event_id").as_string())));
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<FixtureRoom> FixtureRoom::Load(
    const std::vector<std::string>& files) {
  FixtureRoom room;
  for (const std::string& file : files) {
    ASSIGN_OR_RETURN(std::string text,
                     ReadStateResFixture(absl::StrCat("fixtures/", file)));
    ASSIGN_OR_RETURN(boost::json::value v, ParseJson(text));
    std::vector<const Pdu*>& batch = room.batches_.emplace_back();
    for (const boost::json::value& e : v.as_array()) {
      if (room.rules_ == nullptr) {
        const boost::json::value& version =
            e.as_object().at("content").as_object().at("room_version");
        room.rules_ = FindRoomVersion(std::string_view(version.as_string()));
        if (room.rules_ == nullptr)
          return absl::InvalidArgumentError("version");
      }
      ASSIGN_OR_RETURN(Pdu pdu, Pdu::Parse(e, *room.rules_));
      room.pdus_.push_back(std::move(pdu));
      const Pdu* p = &room.pdus_.back();
      batch.push_back(p);
      room.by_id_[p->event_id()] = p;
    }
  }
  return room;
}

StateResCallbacks FixtureRoom::callbacks() const {
  StateResCallbacks cb;
  cb.fetch = [this](std::string_view id) {
    auto it = by_id_.find(AV(id));
    return it == by_id_.end() ? nullptr : it->second;
  };
  return cb;
}

const Pdu* FixtureRoom::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : it->second;
}

absl::flat_hash_set<std::string> FixtureRoom::AuthChain(const Pdu& pdu) const {
  absl::flat_hash_set<std::string> out;
  std::vector<const Pdu*> stack = {&pdu};
  while (!stack.empty()) {
    const Pdu* p = stack.back();
    stack.pop_back();
    for (const std::string& id : p->auth_events()) {
      if (!out.insert(id).second) continue;
      if (const Pdu* a = Find(id)) stack.push_back(a);
    }
  }
  return out;
}

absl::flat_hash_set<std::string> FixtureRoom::AuthChain(
    const StateMap& state) const {
  absl::flat_hash_set<std::string> out;
  for (const auto& [key, id] : state) {
    if (const Pdu* p = Find(id)) {
      absl::flat_hash_set<std::string> chain = AuthChain(*p);
      out.insert(chain.begin(), chain.end());
    }
  }
  return out;
}

absl::StatusOr<StateMap> FixtureRoom::StateOf(
    const std::vector<std::string>& ids) const {
  StateMap state;
  for (const std::string& id : ids) {
    const Pdu* p = Find(id);
    if (p == nullptr || !p->state_key()) {
      return absl::NotFoundError(absl::StrCat("no state event ", id));
    }
    state[StateKey(p->type(), *p->state_key())] = id;
  }
  return state;
}

absl::StatusOr<StateMap> FixtureRoom::ResolveIteratively() const {
  // Walk prev_events forwards from the create event. An event is resolved
  // once the states after all its prev events are known.
  absl::flat_hash_map<std::string, std::vector<std::string>> children;
  std::vector<std::string> stack;
  for (const Pdu& pdu : pdus_) {
    for (const std::string& prev : pdu.prev_events()) {
      children[prev].push_back(pdu.event_id());
    }
    if (pdu.Is(event_type::kCreate) && pdu.prev_events().empty()) {
      stack.push_back(pdu.event_id());
    }
  }
  const StateResCallbacks cb = callbacks();
  absl::flat_hash_map<std::string, StateMap> state_after;
  std::vector<std::string> leaves;
  while (!stack.empty()) {
    const std::string id = stack.back();
    stack.pop_back();
    const Pdu& pdu = *Find(id);
    std::vector<StateMap> before_sets;
    bool ready = true;
    for (const std::string& prev : pdu.prev_events()) {
      auto it = state_after.find(prev);
      if (it == state_after.end()) {
        ready = false;
        break;
      }
      before_sets.push_back(it->second);
    }
    if (!ready) continue;  // Revisited when its last prev event resolves.
    ASSIGN_OR_RETURN(StateMap before, ResolveState(*rules_, before_sets, cb));
    StateMap with_event = before;
    with_event[StateKey(pdu.type(), pdu.state_key().value_or(""))] = id;
    absl::flat_hash_set<std::string> chain_before = AuthChain(before);
    absl::flat_hash_set<std::string> chain_with = chain_before;
    for (const std::string& a : AuthChain(pdu)) chain_with.insert(a);
    const std::vector<StateMap> sets = {before, with_event};
    const std::vector<absl::flat_hash_set<std::string>> chains = {chain_before,
                                                                  chain_with};
    ASSIGN_OR_RETURN(state_after[id],
                     ResolveStateWithAuthChains(*rules_, sets, chains, cb));
    auto it = children.find(id);
    if (it == children.end()) {
      leaves.push_back(id);
    } else {
      stack.insert(stack.end(), it->second.begin(), it->second.end());
    }
  }
  if (state_after.size() != by_id_.size()) {
    return absl::FailedPreconditionError("not every event was reached");
  }
  std::vector<StateMap> leaf_states;
  for (const std::string& leaf : leaves)
    leaf_states.push_back(state_after[leaf]);
  return ResolveState(*rules_, leaf_states, cb);
}

absl::StatusOr<StateMap> FixtureRoom::ResolveBatched(
    bool computed_chains) const {
  const StateResCallbacks cb = callbacks();
  std::optional<StateMap> state;
  for (const std::vector<const Pdu*>& batch : batches_) {
    std::vector<StateMap> sets;
    if (state) sets.push_back(*state);
    std::vector<absl::flat_hash_set<std::string>> chains;
    for (const Pdu* pdu : batch) {
      sets.push_back(Single(*pdu));
      chains.push_back(AuthChain(*pdu));
    }
    if (computed_chains) {
      ASSIGN_OR_RETURN(state, ResolveState(*rules_, sets, cb));
    } else {
      ASSIGN_OR_RETURN(state,
                       ResolveStateWithAuthChains(*rules_, sets, chains, cb));
    }
  }
  return *state;
}

absl::StatusOr<StateMap> FixtureRoom::ResolveAtomically(
    unsigned shuffle_seed) const {
  std::vector<const Pdu*> order;
  for (const Pdu& pdu : pdus_) order.push_back(&pdu);
  if (shuffle_seed != 0) {
    std::mt19937 rng(shuffle_seed);
    std::shuffle(order.begin(), order.end(), rng);
  }
  std::vector<StateMap> sets;
  std::vector<absl::flat_hash_set<std::string>> chains;
  for (const Pdu* pdu : order) {
    sets.push_back(Single(*pdu));
    chains.push_back(AuthChain(*pdu));
  }
  return ResolveStateWithAuthChains(*rules_, sets, chains, callbacks());
}

}  // namespace myelin
