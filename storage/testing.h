// Helpers for tests of storage/ and its users.
#ifndef MYELIN_STORAGE_TESTING_H_
#define MYELIN_STORAGE_TESTING_H_

#include <string>
#include <string_view>

#include "storage/engine_options.h"

namespace myelin::storage::testing {

// A fresh, empty directory under the test's temporary directory; the path
// does not exist yet (RocksDB and checkpoints create it).
std::string NewTempPath(std::string_view name);

// Options for a small test database at `path`: server_name "example.org",
// a 32 MiB budget, no fsync (tests do not survive power loss anyway).
EngineOptions TestOptions(const std::string& path);

}  // namespace myelin::storage::testing

#endif  // MYELIN_STORAGE_TESTING_H_
