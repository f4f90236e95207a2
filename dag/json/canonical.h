// Matrix canonical JSON encoder.
//
// Spec: appendices, "Signing JSON" > "Canonical JSON": the shortest UTF-8
// encoding, object keys sorted by Unicode code point (byte-wise on UTF-8,
// which is the same order), no insignificant whitespace, only `"`, `\` and
// the C0 controls escaped (\b \t \n \f \r, others as \u00XX in lower-case
// hex), everything else written as raw UTF-8.
//
// Numbers: Boost.JSON holds int64, uint64 or double. An integer-valued double
// whose magnitude is at most 2^53-1 is written as an integer (so `-0` becomes
// `0` and `1e10` becomes `10000000000`, as the spec's examples require).
// Everything else depends on JsonStrictness (below).
//
// Pure and thread-safe.
#ifndef MYELIN_DAG_JSON_CANONICAL_H_
#define MYELIN_DAG_JSON_CANONICAL_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/value.hpp"
#include "dag/room_version/room_version.h"

namespace myelin::json {

// How strictly number limits are enforced; the room-version table carries one
// (RoomVersionRules::json), non-event JSON (keys, request signing) always
// uses kStrict.
//   kLenient — Spec: rooms/fragments/v1-canonical-json (room versions 1-5):
//     servers MUST NOT strictly enforce the format. Integers outside
//     +-(2^53-1) are written as they are; non-integer doubles use the
//     shortest round-trip form.
//   kStrict — Spec: rooms/fragments/v6-canonical-json (room versions 6+):
//     integers must lie in [-(2^53)+1, (2^53)-1]; floats are rejected with
//     M_BAD_JSON.
using JsonStrictness = ::myelin::JsonStrictness;

inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
inline constexpr int64_t kMinSafeInteger = -kMaxSafeInteger;

// Encodes `value` as canonical JSON. Errors (M_BAD_JSON): a string or key
// that is not valid UTF-8, or (kStrict) a number outside the rules above.
absl::StatusOr<std::string> EncodeCanonicalJson(
    const boost::json::value& value,
    JsonStrictness strictness = JsonStrictness::kStrict);

// Encodes `object` as if the top-level keys in `omit` were absent, without
// copying it. Signing and hashing use this to leave out "signatures",
// "unsigned" and "hashes" (Spec: appendices, Signing Details).
absl::StatusOr<std::string> EncodeCanonicalJsonWithout(
    const boost::json::object& object, std::initializer_list<std::string_view> omit,
    JsonStrictness strictness = JsonStrictness::kStrict);

}  // namespace myelin::json

#endif  // MYELIN_DAG_JSON_CANONICAL_H_
