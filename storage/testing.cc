#include "storage/testing.h"

#include <atomic>
#include <filesystem>

#include "gtest/gtest.h"

namespace myelin::storage::testing {

std::string NewTempPath(std::string_view name) {
  static std::atomic<int> counter{0};
  std::filesystem::path dir = ::testing::TempDir();
  std::filesystem::path path =
      dir / (std::string(name) + "." + std::to_string(::getpid()) + "." +
             std::to_string(counter++));
  std::filesystem::remove_all(path);
  return path.string();
}

EngineOptions TestOptions(const std::string& path) {
  EngineOptions options;
  options.path = path;
  options.server_name = "example.org";
  options.memory_budget_bytes = 32ull << 20;
  options.sync_writes = false;
  return options;
}

}  // namespace myelin::storage::testing
