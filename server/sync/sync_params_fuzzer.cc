// libFuzzer: what a client puts in GET /sync's `since` and `filter`
// parameters never crashes the parsers; tokens that parse format back to
// the same text (or, for a bare "s<events>", to its events position).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dag/json/parse.h"
#include "server/filter/event_fields.h"
#include "server/filter/filter.h"
#include "server/sync/sync_token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<myelin::sync::SyncToken> token =
      myelin::sync::ParseSyncToken(text);
  if (token.ok()) {
    absl::StatusOr<myelin::sync::SyncToken> again =
        myelin::sync::ParseSyncToken(myelin::sync::FormatSyncToken(*token));
    if (!again.ok() || !(*again == *token)) __builtin_trap();
  }
  absl::StatusOr<boost::json::object> json = myelin::json::ParseJsonObject(text);
  if (json.ok()) {
    absl::StatusOr<myelin::filter::Filter> filter = myelin::filter::ParseFilter(*json);
    if (filter.ok() && filter->event_fields.has_value()) {
      myelin::filter::ProjectEventFields(*json, *filter->event_fields);
    }
  }
  return 0;
}
