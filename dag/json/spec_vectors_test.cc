// Spec: appendices, Canonical JSON, Examples — via tests/fixtures/spec.
#include <string>

#include "boost/json.hpp"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"
#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::json {
namespace {

TEST(SpecVectorsTest, CanonicalJson) {
  const auto& vectors =
      testing::SpecVectors().at("canonical_json").at("vectors").as_array();
  ASSERT_EQ(vectors.size(), 10u);
  for (const auto& v : vectors) {
    std::string input(v.at("input_text").as_string());
    std::string expected(v.at("expected_canonical").as_string());
    auto parsed = ParseJson(input);
    ASSERT_TRUE(parsed.ok()) << input << " " << parsed.status();
    auto out = EncodeCanonicalJson(*parsed, JsonStrictness::kStrict);
    ASSERT_TRUE(out.ok()) << input << " " << out.status();
    EXPECT_EQ(*out, expected) << input;
  }
}

TEST(SpecVectorsTest, WholeFileParsesWithMyelinParser) {
  auto parsed = ParseJsonObject(testing::SpecVectorsText());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(boost::json::value(*parsed), boost::json::value(testing::SpecVectors()));
}

}  // namespace
}  // namespace myelin::json
