#include "dag/crypto/json_signing.h"

#include <string>

#include "boost/json.hpp"
#include "dag/base/matrix_error.h"
#include "dag/crypto/base64.h"
#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::crypto {
namespace {

Ed25519KeyPair SpecKey() {
  const auto& v = testing::SpecVectors().at("signing_key").as_object();
  return *Ed25519KeyPair::FromSeed(
      *DecodeBase64(std::string(v.at("seed_base64").as_string())));
}

TEST(JsonSigningTest, SpecVectors) {
  const auto& vectors =
      testing::SpecVectors().at("json_signing").at("vectors").as_array();
  ASSERT_EQ(vectors.size(), 2u);
  const Ed25519KeyPair key = SpecKey();
  for (const auto& v : vectors) {
    const auto& input = v.at("input").as_object();
    EXPECT_EQ(*SignedBytes(input), v.at("derived_signed_bytes").as_string());
    auto signed_obj = SignJson(input, "domain", "ed25519:1", key);
    ASSERT_TRUE(signed_obj.ok()) << signed_obj.status();
    EXPECT_EQ(boost::json::value(*signed_obj), v.at("expected_output"));
    EXPECT_EQ(*FindSignature(*signed_obj, "domain", "ed25519:1"),
              v.at("expected_signature").as_string());
    EXPECT_TRUE(VerifyJsonSignature(*signed_obj, "domain", "ed25519:1",
                                    key.public_key())
                    .ok());
  }
}

// Spec: server-server-api, Request Authentication: the request JSON is
// signed like any object (derived vectors; the header is federation's job).
TEST(JsonSigningTest, FederationRequestVectors) {
  const auto& vectors = testing::SpecVectors()
                            .at("derived_federation_request_auth")
                            .at("vectors")
                            .as_array();
  ASSERT_EQ(vectors.size(), 3u);
  const Ed25519KeyPair key = SpecKey();
  for (const auto& v : vectors) {
    const auto& request = v.at("request_json").as_object();
    EXPECT_EQ(*SignedBytes(request), v.at("signed_bytes").as_string());
    auto signed_request = SignJson(request, "domain", "ed25519:1", key);
    ASSERT_TRUE(signed_request.ok());
    EXPECT_EQ(*FindSignature(*signed_request, "domain", "ed25519:1"),
              v.at("expected_signature").as_string());
  }
}

TEST(JsonSigningTest, KeepsUnsignedAndOtherSignatures) {
  const Ed25519KeyPair key = SpecKey();
  auto other = *Ed25519KeyPair::FromSeed(std::string(32, '\x01'));
  boost::json::object obj = boost::json::parse(
      R"({"a":1,"unsigned":{"age":5},"signatures":{"x":{"ed25519:0":"zz"}}})")
                                .as_object();
  auto once = SignJson(obj, "domain", "ed25519:1", key);
  ASSERT_TRUE(once.ok());
  auto twice = SignJson(*once, "other", "ed25519:a", other);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->at("unsigned"), boost::json::parse(R"({"age":5})"));
  const auto& sigs = twice->at("signatures").as_object();
  EXPECT_EQ(sigs.size(), 3u);
  EXPECT_EQ(sigs.at("x").at("ed25519:0"), "zz");
  EXPECT_TRUE(VerifyJsonSignature(*twice, "domain", "ed25519:1",
                                  key.public_key()).ok());
  EXPECT_TRUE(VerifyJsonSignature(*twice, "other", "ed25519:a",
                                  other.public_key()).ok());
  // "unsigned" is not covered: changing it keeps the signature valid.
  (*twice)["unsigned"] = boost::json::object{{"age", 99}};
  EXPECT_TRUE(VerifyJsonSignature(*twice, "domain", "ed25519:1",
                                  key.public_key()).ok());
}

TEST(JsonSigningTest, DetectsTampering) {
  const Ed25519KeyPair key = SpecKey();
  boost::json::object obj{{"one", 1}, {"two", "Two"}};
  boost::json::object signed_obj = *SignJson(obj, "domain", "ed25519:1", key);
  boost::json::object tampered = signed_obj;
  tampered["one"] = 2;
  auto status = VerifyJsonSignature(tampered, "domain", "ed25519:1",
                                    key.public_key());
  EXPECT_EQ(ErrcodeOf(status), errcode::kUnauthorized);
  // Wrong key, missing server, missing key id, garbage signature.
  auto other = *Ed25519KeyPair::FromSeed(std::string(32, '\x02'));
  EXPECT_FALSE(VerifyJsonSignature(signed_obj, "domain", "ed25519:1",
                                   other.public_key()).ok());
  EXPECT_EQ(ErrcodeOf(VerifyJsonSignature(signed_obj, "nope", "ed25519:1",
                                          key.public_key())),
            errcode::kUnauthorized);
  EXPECT_FALSE(VerifyJsonSignature(signed_obj, "domain", "ed25519:2",
                                   key.public_key()).ok());
  signed_obj["signatures"].as_object()["domain"].as_object()["ed25519:1"] = "!";
  EXPECT_FALSE(VerifyJsonSignature(signed_obj, "domain", "ed25519:1",
                                   key.public_key()).ok());
}

TEST(JsonSigningTest, RejectsMalformedSignatures) {
  const Ed25519KeyPair key = SpecKey();
  boost::json::object obj{{"signatures", "str"}};
  EXPECT_EQ(ErrcodeOf(SignJson(obj, "d", "ed25519:1", key).status()),
            errcode::kBadJson);
  obj["signatures"] = boost::json::object{{"d", 5}};
  EXPECT_EQ(ErrcodeOf(SignJson(obj, "d", "ed25519:1", key).status()),
            errcode::kBadJson);
  EXPECT_EQ(ErrcodeOf(VerifyJsonSignature(obj, "d", "ed25519:1",
                                          key.public_key())),
            errcode::kBadJson);
}

TEST(JsonSigningTest, FloatsRejectedWhenStrict) {
  const Ed25519KeyPair key = SpecKey();
  boost::json::object obj{{"f", 1.5}};
  EXPECT_FALSE(SignJson(obj, "d", "ed25519:1", key).ok());
  EXPECT_TRUE(
      SignJson(obj, "d", "ed25519:1", key, json::JsonStrictness::kLenient).ok());
}

}  // namespace
}  // namespace myelin::crypto
