// Micro-benchmarks for the per-event costs of federation ingress: parse,
// canonical JSON, SHA-256 and Ed25519 sign/verify.
//   bazel run -c opt //dag/crypto:crypto_benchmark
#include <string>

#include "benchmark/benchmark.h"
#include "boost/json/object.hpp"
#include "dag/crypto/base64.h"
#include "dag/crypto/ed25519.h"
#include "dag/crypto/hash.h"
#include "dag/crypto/json_signing.h"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"

namespace myelin::crypto {
namespace {

// A typical v11 m.room.message PDU (about 700 bytes).
constexpr char kEvent[] = R"({
  "auth_events": ["$urlsafe_base64_auth_event_id_number_1_xxxxxxxx",
                  "$urlsafe_base64_auth_event_id_number_2_xxxxxxxx",
                  "$urlsafe_base64_auth_event_id_number_3_xxxxxxxx"],
  "content": {"body": "Hello, this is a fairly ordinary chat message.",
              "msgtype": "m.text",
              "m.relates_to": {"m.in_reply_to": {"event_id": "$abc"}}},
  "depth": 12345,
  "hashes": {"sha256": "ThisIsNotARealHashButHasTheRightLength0123456"},
  "origin_server_ts": 1700000000000,
  "prev_events": ["$urlsafe_base64_prev_event_id_number_1_xxxxxxxx"],
  "room_id": "!roomidroomidroomid:example.org",
  "sender": "@someone:example.org",
  "type": "m.room.message",
  "signatures": {"example.org": {"ed25519:a_bcde": "sig"}},
  "unsigned": {"age": 1234}
})";

boost::json::object Event() { return *json::ParseJsonObject(kEvent); }

Ed25519KeyPair Key() { return *Ed25519KeyPair::FromSeed(std::string(32, 'k')); }

void BM_ParseJson(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(json::ParseJson(kEvent));
  state.SetBytesProcessed(state.iterations() * (sizeof(kEvent) - 1));
}
BENCHMARK(BM_ParseJson);

void BM_CanonicalJson(benchmark::State& state) {
  const boost::json::value event = Event();
  const size_t bytes = json::EncodeCanonicalJson(event)->size();
  for (auto _ : state) benchmark::DoNotOptimize(json::EncodeCanonicalJson(event));
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK(BM_CanonicalJson);

void BM_Sha256Event(benchmark::State& state) {
  const std::string bytes = *json::EncodeCanonicalJson(Event());
  for (auto _ : state) benchmark::DoNotOptimize(Sha256(bytes));
  state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_Sha256Event);

void BM_Ed25519Sign(benchmark::State& state) {
  const Ed25519KeyPair key = Key();
  const std::string bytes = *json::EncodeCanonicalJson(Event());
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(bytes));
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  const Ed25519KeyPair key = Key();
  const std::string bytes = *json::EncodeCanonicalJson(Event());
  const std::string sig = key.Sign(bytes);
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyEd25519(key.public_key(), bytes, sig));
  }
}
BENCHMARK(BM_Ed25519Verify);

// Whole JSON signature check: canonicalise without signatures/unsigned,
// decode the signature, verify.
void BM_VerifyJsonSignature(benchmark::State& state) {
  const Ed25519KeyPair key = Key();
  const boost::json::object event =
      *SignJson(Event(), "example.org", "ed25519:a_bcde", key);
  for (auto _ : state) {
    benchmark::DoNotOptimize(VerifyJsonSignature(
        event, "example.org", "ed25519:a_bcde", key.public_key()));
  }
}
BENCHMARK(BM_VerifyJsonSignature);

void BM_Base64Decode(benchmark::State& state) {
  const std::string text = EncodeBase64(std::string(64, 'x'));
  for (auto _ : state) benchmark::DoNotOptimize(DecodeBase64(text));
}
BENCHMARK(BM_Base64Decode);

}  // namespace
}  // namespace myelin::crypto
