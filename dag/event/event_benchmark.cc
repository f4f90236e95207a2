// Per-event costs of the event pipeline: content and reference hashes, event
// ids, hashing + signing, signature checks, PDU checks.
//   bazel run -c opt //dag/event:event_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "boost/json/object.hpp"
#include "dag/crypto/ed25519.h"
#include "dag/event/hashes.h"
#include "dag/event/pdu_checks.h"
#include "dag/event/redaction.h"
#include "dag/event/signing.h"
#include "dag/json/parse.h"

namespace myelin::event {
namespace {

constexpr auto kStrict = JsonStrictness::kStrict;
constexpr auto kRules = RedactionRules::kV11;

// A v11 m.room.message PDU, as it would arrive over federation.
constexpr char kEvent[] = R"({
  "auth_events": ["$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg",
                  "$CD66HAED5npg6074c6pDtLKalHjVfYb2q4Q3LZgrW6o",
                  "$P5-6WTYQ_woy6f4nmleE0XqxjtZcyKGza5_gDN-KAdM"],
  "content": {"body": "Hello, this is a fairly ordinary chat message.",
              "msgtype": "m.text"},
  "depth": 12345,
  "origin_server_ts": 1700000000000,
  "prev_events": ["$70O_oKlXzFbkfu0KE88USi98DjSWrOELrPj-8tisl8I"],
  "room_id": "!roomidroomidroomid:example.org",
  "sender": "@someone:example.org",
  "type": "m.room.message",
  "unsigned": {"age": 1234}
})";

crypto::Ed25519KeyPair Key() {
  return *crypto::Ed25519KeyPair::FromSeed(std::string(32, 'k'));
}

boost::json::object SignedEvent() {
  return *HashAndSignEvent(*json::ParseJsonObject(kEvent), "example.org",
                           "ed25519:a", Key(), kRules, kStrict);
}

void BM_ContentHash(benchmark::State& state) {
  const boost::json::object e = SignedEvent();
  for (auto _ : state) benchmark::DoNotOptimize(ContentHash(e, kStrict));
}
BENCHMARK(BM_ContentHash);

void BM_ReferenceHashEventId(benchmark::State& state) {
  const boost::json::object e = SignedEvent();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ComputeEventId(e, EventIdFormat::kV4UrlSafe, kRules, kStrict));
  }
}
BENCHMARK(BM_ReferenceHashEventId);

void BM_Redact(benchmark::State& state) {
  const boost::json::object e = SignedEvent();
  for (auto _ : state) benchmark::DoNotOptimize(Redact(e, kRules));
}
BENCHMARK(BM_Redact);

void BM_HashAndSign(benchmark::State& state) {
  const boost::json::object e = *json::ParseJsonObject(kEvent);
  const crypto::Ed25519KeyPair key = Key();
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        HashAndSignEvent(e, "example.org", "ed25519:a", key, kRules, kStrict));
  }
}
BENCHMARK(BM_HashAndSign);

// What federation ingress does per PDU: shape, content hash, signature.
void BM_CheckAndVerifyPdu(benchmark::State& state) {
  const boost::json::object e = SignedEvent();
  const std::string public_key(Key().public_key());
  const PduFormat format{EventIdFormat::kV4UrlSafe, kStrict, false};
  for (auto _ : state) {
    benchmark::DoNotOptimize(CheckPdu(e, format));
    benchmark::DoNotOptimize(CheckContentHash(e, kStrict));
    benchmark::DoNotOptimize(VerifyEventSignature(
        e, "example.org", "ed25519:a", public_key, kRules, kStrict));
  }
}
BENCHMARK(BM_CheckAndVerifyPdu);

}  // namespace
}  // namespace myelin::event
