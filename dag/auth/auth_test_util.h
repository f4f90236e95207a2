// Test helper: table-driven auth cases run across a range of room versions.
#ifndef MYELIN_DAG_AUTH_AUTH_TEST_UTIL_H_
#define MYELIN_DAG_AUTH_AUTH_TEST_UTIL_H_

#include <functional>
#include <string>

#include "dag/auth/test_room.h"
#include "gtest/gtest.h"

namespace myelin {

struct AuthCase {
  const char* name;
  int first_version;  // inclusive
  int last_version;   // inclusive
  const char* join_rule;
  std::function<void(TestRoom&)> setup;
  std::function<PduBuilder(const TestRoom&)> event;
  // "" when the event is allowed, else a substring of the rejection message
  // (normally "rule N.M:").
  const char* want;
  AuthHooks hooks = {};
};

inline void RunAuthCases(const std::vector<AuthCase>& cases) {
  for (const AuthCase& c : cases) {
    for (int v = c.first_version; v <= c.last_version; ++v) {
      TestRoom room(std::to_string(v), c.join_rule);
      if (c.setup) c.setup(room);
      absl::Status s = room.Check(c.event(room), c.hooks);
      if (std::string(c.want).empty()) {
        EXPECT_TRUE(s.ok()) << c.name << " v" << v << ": " << s;
      } else {
        EXPECT_FALSE(s.ok()) << c.name << " v" << v << " was allowed";
        EXPECT_NE(std::string(s.message()).find(c.want), std::string::npos)
            << c.name << " v" << v << ": got " << s << ", want " << c.want;
      }
    }
  }
}

}  // namespace myelin

#endif  // MYELIN_DAG_AUTH_AUTH_TEST_UTIL_H_
