#include <string>

#include "dag/ids/ids.h"
#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::ids {
namespace {

TEST(ServerNameTest, SpecValidExamples) {
  const auto& names = testing::SpecVectors()
                          .at("identifiers")
                          .at("valid_server_names")
                          .as_array();
  ASSERT_EQ(names.size(), 6u);
  for (const auto& name : names) {
    EXPECT_TRUE(IsValidServerName(std::string(name.as_string()))) << name;
  }
}

TEST(ServerNameTest, Parts) {
  auto a = ParseServerName("matrix.org:8888");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "matrix.org");
  EXPECT_EQ(a->port, 8888);
  auto b = ParseServerName("[1234:5678::abcd]:5678");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "[1234:5678::abcd]");
  EXPECT_EQ(b->port, 5678);
  auto c = ParseServerName("1.2.3.4");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->port.has_value());
}

TEST(ServerNameTest, Table) {
  const struct {
    std::string name;
    bool valid;
  } cases[] = {
      {"localhost", true},
      {"MATRIX.org", true},  // case-sensitive, upper case allowed
      {"a-b.c", true},
      {"[::1]", true},
      {"[::ffff:1.2.3.4]:80", true},
      {"[ABCD::1]", true},
      {"255.255.255.255", true},
      {"example.com:1", true},
      {"example.com:65535", true},
      {std::string(255, 'a'), true},
      {"", false},
      {":80", false},
      {"example.com:", false},
      {"example.com:65536", false},
      {"example.com:123456", false},
      {"example.com:8a", false},
      {"example.com:-1", false},
      {"exa_mple.com", false},
      {"exa mple.com", false},
      {"ex@mple.com", false},
      {"ex\xc3\xa9.com", false},
      {"256.1.1.1", false},
      {"999.1.1.1:80", false},
      {"[1234:5678::abcd", false},
      {"[1234:5678::abcd]x", false},
      {"[1:2:3:4:5:6:7:8:9]", false},
      {"[::g]", false},
      {"[]", false},
      {"1234:5678::abcd", false},  // IPv6 needs brackets
      {std::string(256, 'a'), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsValidServerName(c.name), c.valid) << c.name;
  }
}

}  // namespace
}  // namespace myelin::ids
