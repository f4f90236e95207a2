// libFuzzer: arbitrary bytes as a config file never crash the parser; they
// give a Config or an error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/config/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<myelin::config::Config> config =
      myelin::config::ParseConfig(text);
  if (config.ok() && config->listeners.empty()) __builtin_trap();
  return 0;
}
