// The text side of the sync benchmark client, kept apart from the network so
// it is tested on its own: building /sync request targets and picking the
// few fields the client needs out of response bodies without a JSON parser
// (a full initial sync is tens of megabytes; the client only needs one
// token and to know whether a marker string is present).
#ifndef MYELIN_BENCH_SYNC_SYNC_QUERY_H_
#define MYELIN_BENCH_SYNC_SYNC_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace myelin::bench {

inline constexpr std::string_view kClientV3 = "/_matrix/client/v3";

// Percent-encodes everything but RFC 3986 unreserved characters, so that a
// JSON filter, a room id ('!', ':') or a token survives as one query value
// or path segment.
std::string UrlEncode(std::string_view s);

// "/_matrix/client/v3/sync?filter=...&since=...&timeout=..." where `filter`
// is an inline JSON filter (Spec: the filter parameter may be a filter id or
// a JSON object starting with '{'), `since` a previous next_batch and
// `timeout_ms` the long-poll timeout. An empty filter or since, or a
// negative timeout, is left out.
std::string SyncTarget(std::string_view filter, std::string_view since,
                       int64_t timeout_ms);

// "/_matrix/client/v3/rooms/{room}/send/m.room.message/{txn}"
std::string SendTarget(std::string_view room_id, std::string_view txn_id);

// {"msgtype":"m.text","body":"<text>"}; `text` must need no JSON escaping
// (the benchmark's own markers).
std::string MessageBody(std::string_view text);

// The value of the top-level "next_batch" of a /sync response. Finds the
// first `"next_batch":"` (optionally with spaces after the colon), which is
// the top-level key as long as no event content contains that text; the
// benchmark's own events do not. Returns nullopt when absent or when the
// value holds a backslash escape (tokens are opaque but never need one).
std::optional<std::string> NextBatch(std::string_view body);

// A marker no other text contains: "<prefix>-<run>-<n>." ('.' ends it, so
// marker 1 is not a prefix of marker 10).
std::string Marker(std::string_view prefix, std::string_view run, int64_t n);

}  // namespace myelin::bench

#endif  // MYELIN_BENCH_SYNC_SYNC_QUERY_H_
