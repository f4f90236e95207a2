// libFuzzer target for the JSON parser and canonical encoder.
//
// Properties: parsing never crashes; canonical encoding of anything parsed
// either fails cleanly or yields text that parses again and re-encodes to the
// same bytes (canonical JSON is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dag/json/canonical.h"
#include "dag/json/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto value = myelin::json::ParseJson(text);
  if (!value.ok()) return 0;
  for (auto strictness : {myelin::json::JsonStrictness::kStrict,
                          myelin::json::JsonStrictness::kLenient}) {
    auto once = myelin::json::EncodeCanonicalJson(*value, strictness);
    if (!once.ok()) continue;
    auto reparsed = myelin::json::ParseJson(*once);
    if (!reparsed.ok()) std::abort();
    auto twice = myelin::json::EncodeCanonicalJson(*reparsed, strictness);
    if (!twice.ok() || *twice != *once) std::abort();
  }
  return 0;
}
