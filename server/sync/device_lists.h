// Which users' device lists a user should fetch again between two /sync
// positions (Spec: client-server-api, "Tracking the device list for a
// user" and "Extensions to /sync"): /sync's `device_lists` and GET
// /keys/changes.
//
//   changed: users who share a joined room with the user now (the user
//            included) and whose device list or cross-signing keys changed
//            in the range; and users who came to share a room with the user
//            in the range (a join of theirs to a room of the user's, or the
//            user's own join — the spec lets a server report these even if
//            another room was shared already).
//   left:    users a membership change in the range concerned (they left a
//            room of the user's, or the user left a room of theirs) who
//            share no joined room with the user now.
//
// Cost follows change: one scan of the device-list stream in the range,
// the member events among the range's events, and a membership lookup per
// user named by them — never every room of every user.
#ifndef MYELIN_SERVER_SYNC_DEVICE_LISTS_H_
#define MYELIN_SERVER_SYNC_DEVICE_LISTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/e2ee/key_store.h"
#include "storage/events/event_store.h"

namespace myelin::sync {

struct DeviceListRange {
  // Event stream positions (from, to].
  storage::StreamPos events_from = 0;
  storage::StreamPos events_to = 0;
  // Device-list stream positions (from, to].
  uint64_t lists_from = 0;
  uint64_t lists_to = 0;
  // The event stream entries in (events_from, events_to] when the caller
  // has read them already; nullptr: read here. Not owned.
  const std::vector<storage::StreamEntry>* events = nullptr;
};

struct DeviceListDelta {
  std::vector<std::string> changed;  // sorted
  std::vector<std::string> left;     // sorted
  bool empty() const { return changed.empty() && left.empty(); }
};

// The stores must outlive the call; thread-safe as they are.
absl::StatusOr<DeviceListDelta> DeviceListChanges(
    const storage::EventStore& events, const storage::KeyStore& keys,
    std::string_view user_id, const DeviceListRange& range);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_DEVICE_LISTS_H_
