// Spec: rooms/v1.md "State resolution". Where the prose is loose (how the
// auth state is formed for each conflict) this follows the behaviour every
// deployed implementation shares (Synapse's v1 resolver): the auth state is
// the unconflicted state, updated after each pass.
#include "dag/state_res/state_res_v1.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "absl/container/btree_map.h"

namespace myelin::state_res_internal {
namespace {

using Digest = std::array<unsigned char, SHA_DIGEST_LENGTH>;

Digest Sha1(const std::string& s) {
  Digest d;
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

struct Candidate {
  const Pdu* pdu;
  Digest sha1;
};

// Highest depth first, then lowest sha1(event_id).
void OrderByDepthDescending(std::vector<Candidate>& events) {
  std::sort(events.begin(), events.end(),
            [](const Candidate& a, const Candidate& b) {
              if (a.pdu->depth() != b.pdu->depth()) {
                return a.pdu->depth() > b.pdu->depth();
              }
              return a.sha1 < b.sha1;
            });
}

StateKey KeyOf(const Pdu& e) { return StateKey(e.type(), *e.state_key()); }

// Power levels, join rules and members: "sort by ascending depth then
// descending sha1(event_id); add the first; then each next one while it is
// allowed". All candidates share one key, which is overlaid on `auth` for
// the duration of the call (no copy of R per conflict).
const Pdu* ResolveAuthConflict(const RoomVersionRules& rules,
                               std::vector<Candidate> events, AuthState& auth,
                               const AuthHooks& hooks,
                               PowerLevelsCache& cache) {
  OrderByDepthDescending(events);
  std::reverse(events.begin(), events.end());
  const StateKey key = KeyOf(*events.front().pdu);
  auto it = auth.find(key);
  const Pdu* saved = it == auth.end() ? nullptr : it->second;
  const Pdu* prev = events.front().pdu;
  for (size_t k = 1; k < events.size(); ++k) {
    auth[key] = prev;
    if (!CheckAuth(*events[k].pdu, rules, auth, hooks, &cache).ok()) break;
    prev = events[k].pdu;
  }
  if (saved != nullptr) {
    auth[key] = saved;
  } else {
    auth.erase(key);
  }
  return prev;
}

// Other conflicts: "the event with the highest depth and lowest
// sha1(event_id) that passes authentication in R".
const Pdu* ResolveOtherConflict(const RoomVersionRules& rules,
                                std::vector<Candidate> events,
                                const AuthState& auth, const AuthHooks& hooks,
                                PowerLevelsCache& cache) {
  OrderByDepthDescending(events);
  for (const Candidate& c : events) {
    if (CheckAuth(*c.pdu, rules, auth, hooks, &cache).ok()) return c.pdu;
  }
  return events.back().pdu;
}

using Conflicts = absl::btree_map<StateKey, std::vector<std::string>>;

// "A conflict occurs between states where those states have different
// event_ids for the same (event_type, state_key)"; a key missing from some
// states is not a conflict in v1 (unlike v2).
std::pair<StateMap, Conflicts> SeparateV1(std::span<const StateMap> sets) {
  StateMap unconflicted;
  Conflicts conflicted;
  for (const StateMap& set : sets) {
    for (const auto& [key, id] : set) {
      if (auto c = conflicted.find(key); c != conflicted.end()) {
        if (std::find(c->second.begin(), c->second.end(), id) ==
            c->second.end()) {
          c->second.push_back(id);
        }
        continue;
      }
      auto [it, inserted] = unconflicted.try_emplace(key, id);
      if (inserted || it->second == id) continue;
      conflicted[key] = {it->second, id};
      unconflicted.erase(it);
    }
  }
  return {std::move(unconflicted), std::move(conflicted)};
}

}  // namespace

StateMap ResolveV1(const RoomVersionRules& rules,
                   std::span<const StateMap> sets,
                   const StateResCallbacks& callbacks) {
  auto [unconflicted, conflicted] = SeparateV1(sets);
  if (conflicted.empty()) return unconflicted;

  // R starts as the unconflicted state.
  AuthState auth;
  for (const auto& [key, id] : unconflicted) {
    if (const Pdu* pdu = callbacks.fetch(id)) auth[key] = pdu;
  }
  auto candidates = [&](const std::vector<std::string>& ids) {
    std::vector<Candidate> out;
    for (const std::string& id : ids) {
      const Pdu* pdu = callbacks.fetch(id);
      if (pdu != nullptr && pdu->state_key()) out.push_back({pdu, Sha1(id)});
    }
    return out;
  };
  StateMap result = unconflicted;
  PowerLevelsCache cache;
  auto settle = [&](const StateKey& key, const Pdu* winner) {
    result[key] = winner->event_id();
    auth[key] = winner;
  };
  // Power levels first, then join rules, then members.
  for (std::string_view type : {event_type::kPowerLevels,
                                event_type::kJoinRules, event_type::kMember}) {
    std::vector<std::pair<StateKey, const Pdu*>> pass;
    for (const auto& [key, ids] : conflicted) {
      if (key.first != type) continue;
      std::vector<Candidate> c = candidates(ids);
      if (c.empty()) continue;
      pass.emplace_back(key, ResolveAuthConflict(rules, std::move(c), auth,
                                                 callbacks.auth_hooks, cache));
    }
    for (const auto& [key, winner] : pass) settle(key, winner);
  }
  for (const auto& [key, ids] : conflicted) {
    if (key.first == event_type::kPowerLevels ||
        key.first == event_type::kJoinRules ||
        key.first == event_type::kMember) {
      continue;
    }
    std::vector<Candidate> c = candidates(ids);
    if (c.empty()) continue;
    // All against the same R: these events do not affect authorisation.
    result[key] = ResolveOtherConflict(rules, std::move(c), auth,
                                       callbacks.auth_hooks, cache)
                      ->event_id();
  }
  return result;
}

}  // namespace myelin::state_res_internal
