#include "dag/event/property_path.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/fixtures/spec/spec_vectors.h"

namespace myelin::event {
namespace {

TEST(PropertyPathTest, SpecVectors) {
  const auto& vectors = testing::SpecVectors()
                            .at("dot_separated_property_paths")
                            .at("vectors")
                            .as_array();
  ASSERT_EQ(vectors.size(), 4u);
  for (const auto& v : vectors) {
    std::vector<std::string> expected;
    for (const auto& s : v.at("segments").as_array()) {
      expected.emplace_back(s.as_string());
    }
    EXPECT_EQ(SplitPropertyPath(std::string(v.at("path").as_string())), expected);
  }
}

TEST(PropertyPathTest, Edges) {
  EXPECT_EQ(SplitPropertyPath(""), std::vector<std::string>{""});
  EXPECT_EQ(SplitPropertyPath("a."), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(SplitPropertyPath("a\\"), std::vector<std::string>{"a\\"});
}

}  // namespace
}  // namespace myelin::event
