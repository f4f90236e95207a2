#include "dag/json/utf8.h"

#include "simdjson.h"

namespace myelin::json {

// simdjson's validator is the strict one (Keiser & Lemire, "Validating UTF-8
// in less than one instruction per byte"): it rejects overlong encodings,
// encoded surrogates and code points above U+10FFFF.
bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

}  // namespace myelin::json
