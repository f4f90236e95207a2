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
#include <string>

#include "absl/status/statusor.h"
#include "boost/json/value.hpp"

namespace myelin::json {

// How strictly number limits are enforced. Room-version rules carry one of
// these; non-event JSON (keys, request signing) is always kStrict.
enum class JsonStrictness : uint8_t {
  // Spec: rooms/fragments/v1-canonical-json (room versions 1-5): servers MUST
  // NOT strictly enforce the format. Integers outside +-(2^53-1) are written
  // as they are; non-integer doubles use the shortest round-trip form.
  kLenient,
  // Spec: rooms/fragments/v6-canonical-json (room versions 6+): integers must
  // lie in [-(2^53)+1, (2^53)-1]; floats are rejected with M_BAD_JSON.
  kStrict,
};

inline constexpr int64_t kMaxSafeInteger = (int64_t{1} << 53) - 1;
inline constexpr int64_t kMinSafeInteger = -kMaxSafeInteger;

// Encodes `value` as canonical JSON. Errors (M_BAD_JSON): a string or key
// that is not valid UTF-8, or (kStrict) a number outside the rules above.
absl::StatusOr<std::string> EncodeCanonicalJson(
    const boost::json::value& value,
    JsonStrictness strictness = JsonStrictness::kStrict);

}  // namespace myelin::json

#endif  // MYELIN_DAG_JSON_CANONICAL_H_
