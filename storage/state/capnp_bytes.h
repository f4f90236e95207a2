// Cap'n Proto values in RocksDB: flat serialisation to bytes, and a reader
// over bytes that need not be word-aligned (RocksDB values are not).
// kj::Exception from malformed input is caught here and becomes DataLoss, so
// it never escapes storage/.
#ifndef MYELIN_STORAGE_STATE_CAPNP_BYTES_H_
#define MYELIN_STORAGE_STATE_CAPNP_BYTES_H_

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>
#include <kj/exception.h>

#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"

namespace myelin::storage {

inline std::string CapnpToBytes(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()),
                     bytes.size());
}

// Decodes `bytes` as a message with root T and hands the reader to `fn`,
// whose result is returned. `what` names the value in errors.
template <typename T, typename Fn>
auto ReadCapnp(std::string_view bytes, std::string_view what, Fn&& fn)
    -> absl::StatusOr<decltype(fn(std::declval<typename T::Reader>()))> {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return absl::DataLossError(absl::StrCat(
        AV(what), ": ", bytes.size(), " bytes is not a capnp message"));
  }
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::ReaderOptions options;
    // Full snapshots of very large rooms exceed the 64 MiB default.
    options.traversalLimitInWords = uint64_t{1} << 30;
    capnp::FlatArrayMessageReader reader(words, options);
    return fn(reader.getRoot<T>());
  } catch (const kj::Exception& e) {
    return absl::DataLossError(
        absl::StrCat(AV(what), ": ", e.getDescription().cStr()));
  }
}

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_STATE_CAPNP_BYTES_H_
