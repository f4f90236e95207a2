// Test and benchmark helper: a large public room forked in two.
//
// The base state: create, alice (creator, 100) joined, power levels, public
// join rules, and `members` other joined users. Fork A: alice makes a
// moderator, bans the first `changes` users and sets the topic. Fork B: the
// same users change their display names, another `changes` users leave and
// the moderator sets the topic. Resolving A against B must keep the bans.
#ifndef MYELIN_DAG_STATE_RES_LARGE_ROOM_H_
#define MYELIN_DAG_STATE_RES_LARGE_ROOM_H_

#include <deque>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "dag/state_res/state_res.h"

namespace myelin {

class LargeRoom {
 public:
  // REQUIRES: 2 * changes <= members.
  LargeRoom(const RoomVersionRules& rules, int members, int changes);

  const RoomVersionRules& rules() const { return rules_; }
  const StateMap& fork_a() const { return fork_a_; }
  const StateMap& fork_b() const { return fork_b_; }
  StateResCallbacks Callbacks() const;
  // The full auth chain of a state set, as a storage index would supply it.
  absl::flat_hash_set<std::string> AuthChainOf(const StateMap& state) const;
  static std::string UserId(int i);
  size_t event_count() const { return pdus_.size(); }

 private:
  const Pdu& Add(const class PduBuilder& b);

  const RoomVersionRules& rules_;
  std::deque<Pdu> pdus_;
  absl::flat_hash_map<std::string, const Pdu*> by_id_;
  StateMap fork_a_;
  StateMap fork_b_;
};

}  // namespace myelin

#endif  // MYELIN_DAG_STATE_RES_LARGE_ROOM_H_
