#include "dag/crypto/base64.h"

#include <string>

#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::crypto {
namespace {

TEST(Base64Test, SpecVectors) {
  const auto& vectors =
      testing::SpecVectors().at("unpadded_base64").at("vectors").as_array();
  ASSERT_EQ(vectors.size(), 7u);
  for (const auto& v : vectors) {
    std::string input(v.at("input").as_string());
    std::string expected(v.at("expected").as_string());
    EXPECT_EQ(EncodeBase64(input), expected);
    auto decoded = DecodeBase64(expected);
    ASSERT_TRUE(decoded.ok()) << expected;
    EXPECT_EQ(*decoded, input);
    // Padded input is accepted too.
    std::string padded = expected + std::string((4 - expected.size() % 4) % 4, '=');
    auto from_padded = DecodeBase64(padded);
    ASSERT_TRUE(from_padded.ok()) << padded;
    EXPECT_EQ(*from_padded, input);
  }
}

TEST(Base64Test, UrlSafeAlphabet) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(EncodeBase64(bytes), "+/+/");
  EXPECT_EQ(EncodeBase64UrlSafe(bytes), "-_-_");
  EXPECT_EQ(*DecodeBase64UrlSafe("-_-_"), bytes);
  EXPECT_FALSE(DecodeBase64UrlSafe("+/+/").ok());
  EXPECT_FALSE(DecodeBase64("-_-_").ok());
  EXPECT_EQ(*DecodeBase64UrlSafe("Zm8="), "fo");
}

TEST(Base64Test, RejectsMalformed) {
  const char* bad[] = {
      "Z",       // impossible length
      "Zm9vY",   // impossible length
      "Zg=",     // wrong padding length
      "Zg===",   // too much padding
      "Zm9v=",   // padding where none belongs
      "Z=g=",    // padding in the middle
      "Zm 9v",   // whitespace
      "Zm9v\n",
      "Zm9*",
  };
  for (const char* text : bad) {
    EXPECT_FALSE(DecodeBase64(text).ok()) << text;
  }
}

TEST(Base64Test, IgnoresUnusedTrailingBits) {
  // The spec's test seed ends in such a character (see base64.cc).
  EXPECT_EQ(*DecodeBase64("Zh"), "f");
  EXPECT_EQ(*DecodeBase64("Zm9="), "fo");
}

TEST(Base64Test, RoundTripsAllByteValues) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= bytes.size(); len += 7) {
    std::string_view prefix(bytes.data(), len);
    EXPECT_EQ(*DecodeBase64(EncodeBase64(prefix)), prefix);
    EXPECT_EQ(*DecodeBase64UrlSafe(EncodeBase64UrlSafe(prefix)), prefix);
  }
}

}  // namespace
}  // namespace myelin::crypto
