// libFuzzer target for PDU handling: parse, shape checks for every event
// format, then redaction, hashes and event ids of whatever passes.
// Property: nothing crashes; redaction is idempotent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dag/event/hashes.h"
#include "dag/event/pdu_checks.h"
#include "dag/event/redaction.h"
#include "dag/json/parse.h"

namespace {

using myelin::EventIdFormat;
using myelin::JsonStrictness;
using myelin::RedactionRules;

constexpr myelin::event::PduFormat kFormats[] = {
    {EventIdFormat::kV1ServerAssigned, JsonStrictness::kLenient, false},
    {EventIdFormat::kV3Base64, JsonStrictness::kLenient, false},
    {EventIdFormat::kV4UrlSafe, JsonStrictness::kStrict, false},
    {EventIdFormat::kV4UrlSafe, JsonStrictness::kStrict, true},
};

constexpr RedactionRules kRules[] = {RedactionRules::kV1, RedactionRules::kV6,
                                     RedactionRules::kV8, RedactionRules::kV9,
                                     RedactionRules::kV11};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto pdu = myelin::json::ParseJsonObject(text);
  if (!pdu.ok()) return 0;
  for (const auto& format : kFormats) {
    if (!myelin::event::CheckPdu(*pdu, format).ok()) continue;
    (void)myelin::event::CheckContentHash(*pdu, format.json);
    for (RedactionRules rules : kRules) {
      auto once = myelin::event::Redact(*pdu, rules);
      if (myelin::event::Redact(once, rules) != once) std::abort();
      (void)myelin::event::ComputeEventId(*pdu, format.event_id_format, rules,
                                          format.json);
    }
  }
  return 0;
}
