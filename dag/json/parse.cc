#include "dag/json/parse.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "boost/json/object.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/json/utf8.h"
#include "simdjson.h"

namespace myelin::json {
namespace {

namespace dom = simdjson::dom;

// Inputs up to this size reuse a per-thread parser (simdjson parsers keep
// their buffers, several times the input size, between calls, and are not
// thread-safe). Larger inputs get a parser of their own that is freed after
// the call, so one huge body does not pin memory on every thread for ever.
constexpr size_t kReusedParserMaxBytes = 1 << 20;

absl::Status NotJsonFrom(simdjson::error_code error) {
  return NotJson(absl::StrFormat("Content not JSON: %s",
                                 simdjson::error_message(error)));
}

absl::Status CheckString(std::string_view s) {
  // simdjson validates the raw input, but a \uD800 escape unescapes to bytes
  // that are not UTF-8; check the decoded string too.
  if (!IsValidUtf8(s)) return NotJson("Content not JSON: invalid UTF-8");
  return absl::OkStatus();
}

absl::Status Convert(dom::element in, size_t depth, const ParseOptions& opts,
                     boost::json::value& out);

absl::Status ConvertObject(dom::object in, size_t depth,
                           const ParseOptions& opts, boost::json::value& out) {
  boost::json::object& obj = out.emplace_object();
  obj.reserve(in.size());
  for (dom::key_value_pair field : in) {
    RETURN_IF_ERROR(CheckString(field.key));
    auto [it, inserted] = obj.emplace(field.key, nullptr);
    if (!inserted) {
      return BadJson(absl::StrFormat("Duplicate key in JSON object: %s",
                                     field.key));
    }
    RETURN_IF_ERROR(Convert(field.value, depth + 1, opts, it->value()));
  }
  return absl::OkStatus();
}

absl::Status ConvertArray(dom::array in, size_t depth,
                          const ParseOptions& opts, boost::json::value& out) {
  boost::json::array& arr = out.emplace_array();
  arr.reserve(in.size());
  for (dom::element item : in) {
    RETURN_IF_ERROR(Convert(item, depth + 1, opts, arr.emplace_back(nullptr)));
  }
  return absl::OkStatus();
}

absl::Status Convert(dom::element in, size_t depth, const ParseOptions& opts,
                     boost::json::value& out) {
  switch (in.type()) {
    case dom::element_type::OBJECT:
    case dom::element_type::ARRAY:
      if (depth > opts.max_depth) {
        return BadJson(absl::StrFormat("JSON nested deeper than %d levels",
                                       opts.max_depth));
      }
      if (in.type() == dom::element_type::OBJECT) {
        return ConvertObject(in.get_object().value_unsafe(), depth, opts, out);
      }
      return ConvertArray(in.get_array().value_unsafe(), depth, opts, out);
    case dom::element_type::STRING: {
      std::string_view s = in.get_string().value_unsafe();
      RETURN_IF_ERROR(CheckString(s));
      out = boost::json::string(s);
      return absl::OkStatus();
    }
    case dom::element_type::INT64:
      out = in.get_int64().value_unsafe();
      return absl::OkStatus();
    case dom::element_type::UINT64:
      out = in.get_uint64().value_unsafe();
      return absl::OkStatus();
    case dom::element_type::DOUBLE:
      out = in.get_double().value_unsafe();
      return absl::OkStatus();
    case dom::element_type::BOOL:
      out = in.get_bool().value_unsafe();
      return absl::OkStatus();
    case dom::element_type::NULL_VALUE:
      out = nullptr;
      return absl::OkStatus();
  }
  return NotJson("Content not JSON: unknown value type");
}

}  // namespace

absl::StatusOr<boost::json::value> ParseJson(std::string_view text,
                                             const ParseOptions& options) {
  thread_local dom::parser thread_parser;
  dom::parser one_off_parser;
  dom::parser& parser = text.size() <= kReusedParserMaxBytes ? thread_parser
                                                             : one_off_parser;
  // simdjson's own limit is a backstop only (it counts depth slightly
  // differently); Convert() enforces options.max_depth exactly.
  const size_t backstop_depth = options.max_depth + 2;
  if (parser.max_depth() != backstop_depth) {
    if (simdjson::error_code e = parser.allocate(
            std::max(text.size(), parser.capacity()), backstop_depth);
        e != simdjson::SUCCESS) {
      return NotJsonFrom(e);
    }
  }
  dom::element root;
  if (simdjson::error_code e = parser.parse(text.data(), text.size()).get(root);
      e != simdjson::SUCCESS) {
    if (e == simdjson::DEPTH_ERROR) {
      return BadJson(absl::StrFormat("JSON nested deeper than %d levels",
                                     options.max_depth));
    }
    return NotJsonFrom(e);
  }
  boost::json::value out;
  RETURN_IF_ERROR(Convert(root, 1, options, out));
  return out;
}

absl::StatusOr<boost::json::object> ParseJsonObject(
    std::string_view text, const ParseOptions& options) {
  ASSIGN_OR_RETURN(boost::json::value value, ParseJson(text, options));
  if (!value.is_object()) return BadJson("JSON body must be an object");
  return std::move(value.as_object());
}

}  // namespace myelin::json
