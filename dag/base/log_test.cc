#include "dag/base/log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace myelin::log {
namespace {

std::vector<std::string>* captured = nullptr;

void Capture(Level, std::string_view line) {
  captured->emplace_back(line);
}

TEST(LogTest, LinesBelowLevelAreDropped) {
  std::vector<std::string> lines;
  captured = &lines;
  SetSinkForTesting(&Capture);
  SetLevel(Level::WARN);
  MLOG(INFO) << "quiet";
  MLOG(WARN) << "loud " << 42;
  SetLevel(Level::INFO);
  SetSinkForTesting(nullptr);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("WARN"), std::string::npos);
  EXPECT_NE(lines[0].find("loud 42\n"), std::string::npos);
}

TEST(LogTest, ParsesLevelNames) {
  Level level;
  ASSERT_TRUE(ParseLevel("Debug", &level).ok());
  EXPECT_EQ(level, Level::DEBUG);
  ASSERT_TRUE(ParseLevel("warning", &level).ok());
  EXPECT_EQ(level, Level::WARN);
  EXPECT_FALSE(ParseLevel("verbose", &level).ok());
}

}  // namespace
}  // namespace myelin::log
