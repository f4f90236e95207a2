// The `since` / `next_batch` token of /sync (Spec: client-server-api,
// "Syncing"): one position per stream the response covers, so a client
// resumes every stream where the last response left it.
//
//   s<events>_<account data>_<receipts>_<typing>_<presence>_<to-device>_<device lists>
//
// Tokens of releases before the device-list stream have six parts; they
// parse with device_lists 0 (every device-list change is news to them,
// which only makes a client query keys again).
// The leading "s<events>" is also what /messages accepts as a stream token
// (Spec: GET /messages `from` may be a /sync next_batch or prev_batch).
// Typing and presence live in memory: their positions restart at 0 with the
// process, so a token ahead of them is read as 0 (everything current).
#ifndef MYELIN_SERVER_SYNC_SYNC_TOKEN_H_
#define MYELIN_SERVER_SYNC_SYNC_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::sync {

struct SyncToken {
  uint64_t events = 0;
  uint64_t account_data = 0;
  uint64_t receipts = 0;
  uint64_t typing = 0;
  uint64_t presence = 0;
  uint64_t to_device = 0;
  uint64_t device_lists = 0;
  bool operator==(const SyncToken&) const = default;
};

std::string FormatSyncToken(const SyncToken& token);

// M_INVALID_PARAM for anything FormatSyncToken did not write. A bare
// "s<events>" (a timeline's prev_batch) parses with the other streams at 0,
// a six-part token with device_lists 0.
absl::StatusOr<SyncToken> ParseSyncToken(std::string_view text);

}  // namespace myelin::sync

#endif  // MYELIN_SERVER_SYNC_SYNC_TOKEN_H_
