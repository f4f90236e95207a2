// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so std::string_view does not convert implicitly to the
// absl::string_view that absl::StrCat, absl::Status and friends take. Myelin
// uses std::string_view in its own interfaces and converts here, at the
// boundary. absl::StrFormat("%s", sv) accepts std::string_view directly.
#ifndef MYELIN_DAG_BASE_STRINGS_H_
#define MYELIN_DAG_BASE_STRINGS_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace myelin {

inline absl::string_view AV(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

inline std::string_view SV(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

}  // namespace myelin

#endif  // MYELIN_DAG_BASE_STRINGS_H_
