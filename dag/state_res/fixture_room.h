// Test helper: loads ruma's state resolution fixtures
// (tests/fixtures/state-res/README.md) and resolves them iteratively, in
// batches and atomically.
#ifndef MYELIN_DAG_STATE_RES_FIXTURE_ROOM_H_
#define MYELIN_DAG_STATE_RES_FIXTURE_ROOM_H_

#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "dag/state_res/state_res.h"

namespace myelin {

// Reads a file from tests/fixtures/state-res/ in the test's runfiles.
absl::StatusOr<std::string> ReadStateResFixture(const std::string& relative);

// "type|state_key|event_id" lines, sorted: easy to diff in test output.
std::vector<std::string> Render(const StateMap& state);
// The same rendering of a snapshot file's expected state.
absl::StatusOr<std::vector<std::string>> LoadSnapshot(const std::string& name);

class FixtureRoom {
 public:
  // Loads the PDU files in order; the room version comes from the first
  // PDU (the create event).
  static absl::StatusOr<FixtureRoom> Load(
      const std::vector<std::string>& files);

  const RoomVersionRules& rules() const { return *rules_; }
  StateResCallbacks callbacks() const;
  const Pdu* Find(const std::string& id) const;
  // The auth chain of one event (without the event itself).
  absl::flat_hash_set<std::string> AuthChain(const Pdu& pdu) const;
  absl::flat_hash_set<std::string> AuthChain(const StateMap& state) const;
  // A state map of the listed events.
  absl::StatusOr<StateMap> StateOf(const std::vector<std::string>& ids) const;

  absl::StatusOr<StateMap> ResolveIteratively() const;
  // `computed_chains`: let ResolveState compute the auth chains of the
  // state sets (including the previous batch's state) instead of passing
  // only the new PDUs' chains as ruma's harness does.
  absl::StatusOr<StateMap> ResolveBatched(bool computed_chains = false) const;
  // `shuffle_seed` != 0 permutes the state sets first (the result must not
  // depend on their order).
  absl::StatusOr<StateMap> ResolveAtomically(unsigned shuffle_seed = 0) const;

 private:
  FixtureRoom() = default;

  const RoomVersionRules* rules_ = nullptr;
  std::deque<Pdu> pdus_;
  std::vector<std::vector<const Pdu*>> batches_;
  absl::flat_hash_map<std::string, const Pdu*> by_id_;
};

}  // namespace myelin

#endif  // MYELIN_DAG_STATE_RES_FIXTURE_ROOM_H_
