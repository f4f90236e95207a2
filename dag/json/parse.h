// Parsing untrusted JSON into Boost.JSON values.
//
// simdjson (DOM API, error codes only) does the parsing and UTF-8 validation;
// the document is then copied into a boost::json::value, Myelin's mutable
// JSON type. On top of RFC 8259 the parser rejects:
//   - duplicate keys in an object (RFC 8259 leaves them undefined; Matrix
//     signatures would be ambiguous if two parsers kept different values),
//   - strings that are not valid UTF-8 after unescaping (lone surrogates in
//     \u escapes included),
//   - nesting deeper than ParseOptions::max_depth.
//
// Errors: M_NOT_JSON (absl InvalidArgument, HTTP 400) when the text is not
// JSON at all (syntax, bad UTF-8, numbers out of any range); M_BAD_JSON when
// it is JSON Myelin refuses (duplicate keys, too deep, not an object where one
// is required). Thread-safe: each thread reuses its own simdjson parser.
#ifndef MYELIN_DAG_JSON_PARSE_H_
#define MYELIN_DAG_JSON_PARSE_H_

#include <cstddef>
#include <string_view>

#include "absl/status/statusor.h"
#include "boost/json/value.hpp"

namespace myelin::json {

struct ParseOptions {
  // Deepest nesting of arrays/objects accepted; the top-level value counts
  // as depth 1. Matrix events nest a handful of levels; 100 leaves room for
  // deep event content (Synapse accepts similar depths) while bounding the
  // recursion of every consumer.
  size_t max_depth = 100;
};

// Parses `text` as one JSON value (any type at the top level).
absl::StatusOr<boost::json::value> ParseJson(std::string_view text,
                                             const ParseOptions& options = {});

// Parses `text` and requires a JSON object at the top level (M_BAD_JSON
// otherwise), as every Matrix request body and event is.
absl::StatusOr<boost::json::object> ParseJsonObject(
    std::string_view text, const ParseOptions& options = {});

}  // namespace myelin::json

#endif  // MYELIN_DAG_JSON_PARSE_H_
