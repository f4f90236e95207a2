#include "dag/json/canonical.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_format.h"
#include "boost/json/object.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/json/utf8.h"

namespace myelin::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Spec: appendices, Canonical JSON, Grammar ("escaped"). Only `"`, `\` and
// U+0000..U+001F are escaped; DEL and non-ASCII are written raw.
void AppendEscaped(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '\b': out.push_back('b'); break;
      case '\t': out.push_back('t'); break;
      case '\n': out.push_back('n'); break;
      case '\f': out.push_back('f'); break;
      case '\r': out.push_back('r'); break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run_start, s.size() - run_start);
  out.push_back('"');
}

absl::Status AppendString(std::string_view s, std::string& out) {
  if (!IsValidUtf8(s)) return BadJson("JSON string is not valid UTF-8");
  AppendEscaped(s, out);
  return absl::OkStatus();
}

template <typename T>
void AppendNumber(T n, std::string& out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out.append(buf, end);
}

absl::Status AppendInt(int64_t n, JsonStrictness strictness, std::string& out) {
  if (strictness == JsonStrictness::kStrict &&
      (n > kMaxSafeInteger || n < kMinSafeInteger)) {
    return BadJson(absl::StrFormat("Integer %d outside [-(2^53)+1, 2^53-1]", n));
  }
  AppendNumber(n, out);
  return absl::OkStatus();
}

absl::Status AppendDouble(double d, JsonStrictness strictness,
                          std::string& out) {
  if (!std::isfinite(d)) return BadJson("Non-finite number in JSON");
  const bool integral = std::trunc(d) == d;
  if (integral && std::fabs(d) <= static_cast<double>(kMaxSafeInteger)) {
    AppendNumber(static_cast<int64_t>(d), out);  // -0.0 becomes 0.
    return absl::OkStatus();
  }
  if (strictness == JsonStrictness::kStrict) {
    return BadJson("Float values are not permitted in canonical JSON");
  }
  // Shortest form that round-trips. A large whole double such as 4.4e20
  // would print as bare digits, which read back as an out-of-range integer;
  // keep it recognisably a float with the exponent form (as Python does).
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (std::string_view(buf, end - buf).find_first_of(".eE") ==
      std::string_view::npos) {
    end = std::to_chars(buf, buf + sizeof(buf), d,
                        std::chars_format::scientific).ptr;
  }
  out.append(buf, end);
  return absl::OkStatus();
}

absl::Status Append(const boost::json::value& v, JsonStrictness strictness,
                    std::string& out);

bool Omitted(std::string_view key,
             std::initializer_list<std::string_view> omit) {
  for (std::string_view o : omit) {
    if (key == o) return true;
  }
  return false;
}

absl::Status AppendObject(const boost::json::object& obj,
                          JsonStrictness strictness, std::string& out,
                          std::initializer_list<std::string_view> omit = {}) {
  // Matrix objects rarely have more than 16 members: no heap allocation.
  absl::InlinedVector<const boost::json::key_value_pair*, 16> fields;
  fields.reserve(obj.size());
  for (const auto& kv : obj) {
    if (!Omitted(kv.key(), omit)) fields.push_back(&kv);
  }
  // std::string_view compares like memcmp (unsigned bytes), and byte order of
  // UTF-8 equals code point order.
  std::sort(fields.begin(), fields.end(), [](const auto* a, const auto* b) {
    return std::string_view(a->key()) < std::string_view(b->key());
  });
  out.push_back('{');
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    RETURN_IF_ERROR(AppendString(fields[i]->key(), out));
    out.push_back(':');
    RETURN_IF_ERROR(Append(fields[i]->value(), strictness, out));
  }
  out.push_back('}');
  return absl::OkStatus();
}

absl::Status AppendArray(const boost::json::array& arr,
                         JsonStrictness strictness, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < arr.size(); ++i) {
    if (i > 0) out.push_back(',');
    RETURN_IF_ERROR(Append(arr[i], strictness, out));
  }
  out.push_back(']');
  return absl::OkStatus();
}

absl::Status Append(const boost::json::value& v, JsonStrictness strictness,
                    std::string& out) {
  switch (v.kind()) {
    case boost::json::kind::object:
      return AppendObject(v.get_object(), strictness, out);
    case boost::json::kind::array:
      return AppendArray(v.get_array(), strictness, out);
    case boost::json::kind::string:
      return AppendString(v.get_string(), out);
    case boost::json::kind::int64:
      return AppendInt(v.get_int64(), strictness, out);
    case boost::json::kind::uint64:
      if (v.get_uint64() > static_cast<uint64_t>(kMaxSafeInteger) &&
          strictness == JsonStrictness::kStrict) {
        return BadJson("Integer outside [-(2^53)+1, 2^53-1]");
      }
      AppendNumber(v.get_uint64(), out);
      return absl::OkStatus();
    case boost::json::kind::double_:
      return AppendDouble(v.get_double(), strictness, out);
    case boost::json::kind::bool_:
      out.append(v.get_bool() ? "true" : "false");
      return absl::OkStatus();
    case boost::json::kind::null:
      out.append("null");
      return absl::OkStatus();
  }
  return BadJson("Unknown JSON value kind");
}

}  // namespace

absl::StatusOr<std::string> EncodeCanonicalJson(
    const boost::json::value& value, JsonStrictness strictness) {
  std::string out;
  out.reserve(256);
  RETURN_IF_ERROR(Append(value, strictness, out));
  return out;
}

absl::StatusOr<std::string> EncodeCanonicalJsonWithout(
    const boost::json::object& object,
    std::initializer_list<std::string_view> omit, JsonStrictness strictness) {
  std::string out;
  out.reserve(256);
  RETURN_IF_ERROR(AppendObject(object, strictness, out, omit));
  return out;
}

}  // namespace myelin::json
