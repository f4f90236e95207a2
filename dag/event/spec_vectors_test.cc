// Spec: appendices, Cryptographic Test Vectors > Event Signing; and the
// derived vectors of tests/fixtures/spec (reference hashes, v12 room id).
#include <string>

#include "boost/json.hpp"
#include "dag/crypto/base64.h"
#include "dag/crypto/ed25519.h"
#include "dag/crypto/json_signing.h"
#include "dag/event/hashes.h"
#include "dag/event/redaction.h"
#include "dag/event/signing.h"
#include "dag/json/canonical.h"
#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::event {
namespace {

constexpr auto kStrict = JsonStrictness::kStrict;

crypto::Ed25519KeyPair SpecKey() {
  const auto& v = testing::SpecVectors().at("signing_key").as_object();
  return *crypto::Ed25519KeyPair::FromSeed(
      *crypto::DecodeBase64(std::string(v.at("seed_base64").as_string())));
}

std::string Str(const boost::json::value& v) {
  return std::string(v.as_string());
}

std::string Canon(const boost::json::object& o, std::initializer_list<std::string_view> omit) {
  return *json::EncodeCanonicalJsonWithout(o, omit);
}

class EventSigningVectors : public ::testing::TestWithParam<int> {
 protected:
  const boost::json::object& Vector() {
    return testing::SpecVectors()
        .at("event_signing").at("vectors").as_array()
        .at(GetParam()).as_object();
  }
};

TEST_P(EventSigningVectors, ContentHash) {
  const auto& v = Vector();
  const auto& input = v.at("input").as_object();
  EXPECT_EQ(Canon(input, {"unsigned", "signatures", "hashes"}),
            Str(v.at("derived_content_hash_input")));
  EXPECT_EQ(crypto::EncodeBase64(*ContentHash(input, kStrict)),
            Str(v.at("expected_content_hash_sha256")));
  EXPECT_TRUE(CheckContentHash(v.at("expected_output").as_object(), kStrict).ok());
}

TEST_P(EventSigningVectors, SignatureWithPreV11Rules) {
  const auto& v = Vector();
  for (RedactionRules rules : {RedactionRules::kV1, RedactionRules::kV6,
                               RedactionRules::kV8, RedactionRules::kV9}) {
    auto out = HashAndSignEvent(v.at("input").as_object(), "domain",
                                "ed25519:1", SpecKey(), rules, kStrict);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(boost::json::value(*out), v.at("expected_output"));
    EXPECT_EQ(*crypto::FindSignature(*out, "domain", "ed25519:1"),
              Str(v.at("expected_signature")));
    EXPECT_EQ(Canon(Redact(*out, rules), {"signatures", "unsigned"}),
              Str(v.at("derived_signed_bytes")));
    EXPECT_TRUE(VerifyEventSignature(*out, "domain", "ed25519:1",
                                     SpecKey().public_key(), rules, kStrict)
                    .ok());
  }
}

TEST_P(EventSigningVectors, SignatureWithV11Rules) {
  const auto& v = Vector();
  auto out = HashAndSignEvent(v.at("input").as_object(), "domain", "ed25519:1",
                              SpecKey(), RedactionRules::kV11, kStrict);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*crypto::FindSignature(*out, "domain", "ed25519:1"),
            Str(v.at("derived_signature_if_v11_redaction_rules")));
  EXPECT_EQ(Canon(Redact(*out, RedactionRules::kV11), {"signatures", "unsigned"}),
            Str(v.at("derived_signed_bytes_if_v11_redaction_rules")));
  // A v11 signature does not verify under pre-v11 rules (origin differs).
  EXPECT_FALSE(VerifyEventSignature(*out, "domain", "ed25519:1",
                                    SpecKey().public_key(), RedactionRules::kV9,
                                    kStrict)
                   .ok());
}

INSTANTIATE_TEST_SUITE_P(Spec, EventSigningVectors, ::testing::Values(0, 1));

TEST(EventIdVectors, ReferenceHashes) {
  const auto& v = testing::SpecVectors()
                      .at("event_signing").at("vectors").as_array()
                      .at(0).as_object();
  const auto& ref = v.at("derived_reference_hash").as_object();
  const auto& signed_v1 = v.at("expected_output").as_object();
  EXPECT_EQ(Canon(Redact(signed_v1, RedactionRules::kV1), {"signatures", "unsigned"}),
            Str(ref.at("hashed_bytes_v1_to_v10")));
  EXPECT_EQ(*ComputeEventId(signed_v1, EventIdFormat::kV3Base64,
                            RedactionRules::kV1, kStrict),
            Str(ref.at("room_v3_event_id")));
  EXPECT_EQ(*ComputeEventId(signed_v1, EventIdFormat::kV4UrlSafe,
                            RedactionRules::kV9, kStrict),
            Str(ref.at("room_v4_to_v10_event_id")));

  auto signed_v11 = HashAndSignEvent(v.at("input").as_object(), "domain",
                                     "ed25519:1", SpecKey(),
                                     RedactionRules::kV11, kStrict);
  ASSERT_TRUE(signed_v11.ok());
  EXPECT_EQ(Canon(Redact(*signed_v11, RedactionRules::kV11), {"signatures", "unsigned"}),
            Str(ref.at("hashed_bytes_v11_plus")));
  EXPECT_EQ(*ComputeEventId(*signed_v11, EventIdFormat::kV4UrlSafe,
                            RedactionRules::kV11, kStrict),
            Str(ref.at("room_v11_plus_event_id_of_v11_signed_variant")));
}

TEST(EventIdVectors, V1EventIdIsTheMember) {
  const auto& v = testing::SpecVectors()
                      .at("event_signing").at("vectors").as_array()
                      .at(1).as_object();
  EXPECT_EQ(*ComputeEventId(v.at("expected_output").as_object(),
                            EventIdFormat::kV1ServerAssigned,
                            RedactionRules::kV1, JsonStrictness::kLenient),
            "$0:domain");
}

TEST(RoomV12Vectors, CreateEventRoomId) {
  const auto& v = testing::SpecVectors().at("derived_room_v12_room_id").as_object();
  auto signed_create = HashAndSignEvent(
      v.at("unsigned_create_event").as_object(), "domain", "ed25519:1",
      SpecKey(), RedactionRules::kV11, kStrict);
  ASSERT_TRUE(signed_create.ok()) << signed_create.status();
  EXPECT_EQ(boost::json::value(*signed_create), v.at("signed_create_event"));
  EXPECT_EQ(Canon(Redact(*signed_create, RedactionRules::kV11),
                  {"signatures", "unsigned"}),
            Str(v.at("hashed_bytes")));
  auto event_id = ComputeEventId(*signed_create, EventIdFormat::kV4UrlSafe,
                                 RedactionRules::kV11, kStrict);
  ASSERT_TRUE(event_id.ok());
  EXPECT_EQ(*event_id, Str(v.at("expected_event_id")));
  EXPECT_EQ("!" + event_id->substr(1), Str(v.at("expected_room_id")));
}

}  // namespace
}  // namespace myelin::event
