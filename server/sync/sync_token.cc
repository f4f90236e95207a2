#include "server/sync/sync_token.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "dag/base/matrix_error.h"
#include "dag/base/strings.h"

namespace myelin::sync {

std::string FormatSyncToken(const SyncToken& token) {
  return absl::StrCat("s", token.events, "_", token.account_data, "_",
                      token.receipts, "_", token.typing, "_", token.presence,
                      "_", token.to_device, "_", token.device_lists);
}

absl::StatusOr<SyncToken> ParseSyncToken(std::string_view text) {
  absl::Status invalid = InvalidParam("Invalid sync token");
  if (text.size() < 2 || text[0] != 's') return invalid;
  std::vector<absl::string_view> parts =
      absl::StrSplit(AV(text.substr(1)), '_');
  if (parts.size() != 1 && parts.size() != 6 && parts.size() != 7) {
    return invalid;
  }
  SyncToken token;
  uint64_t* fields[] = {&token.events,   &token.account_data,
                        &token.receipts, &token.typing,
                        &token.presence, &token.to_device,
                        &token.device_lists};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty() ||
        parts[i].find_first_not_of("0123456789") != absl::string_view::npos ||
        !absl::SimpleAtoi(parts[i], fields[i])) {
      return invalid;
    }
  }
  return token;
}

}  // namespace myelin::sync
