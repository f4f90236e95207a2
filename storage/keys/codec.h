// Order-preserving key codecs. Only storage/keys builds keys.
//
// Every key in every column family is a sequence of typed parts. Each part
// encodes so that comparing the encoded bytes with memcmp (RocksDB's default
// BytewiseComparator) orders keys exactly as comparing the decoded tuples
// part by part would. A prefix made of the first k parts of a key is a byte
// prefix of every key that starts with those parts, so prefix scans work.
//
// Part encodings (storage/FORMAT.md, "Key encodings"; they reach disk, do not
// change them):
//   uint8_t, uint16_t, uint32_t, uint64_t  big-endian, fixed width.
//   int64_t    big-endian with the sign bit flipped, so negatives sort first.
//   std::string  bytes with each 0x00 written as 0x00 0xFF, then the
//                terminator 0x00 0x01. Escaping (not a length prefix) keeps
//                "a" < "a\0" < "ab" in byte order and lets any part follow.
//
// Usage:
//   using RoomEventKey = keys::Key<uint64_t, std::string>;
//   std::string k = RoomEventKey::Encode(room_nid, "$event");
//   std::string p = RoomEventKey::EncodePrefix(room_nid);   // scan one room
//   ASSIGN_OR_RETURN(auto parts, RoomEventKey::Decode(k));  // std::tuple
//
// Decoding never trusts its input: truncated or malformed bytes, and bytes
// left over after the last part, give InvalidArgument, never a crash.
// Everything here is stateless and thread-safe.
#ifndef MYELIN_STORAGE_KEYS_CODEC_H_
#define MYELIN_STORAGE_KEYS_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace myelin::storage::keys {

// Primitive appenders and readers. A reader consumes its part from the front
// of `in` and returns InvalidArgument if `in` does not start with one.
void AppendU8(std::string& out, uint8_t v);
void AppendU16(std::string& out, uint16_t v);
void AppendU32(std::string& out, uint32_t v);
void AppendU64(std::string& out, uint64_t v);
void AppendI64(std::string& out, int64_t v);
void AppendString(std::string& out, std::string_view s);

absl::StatusOr<uint8_t> ReadU8(std::string_view& in);
absl::StatusOr<uint16_t> ReadU16(std::string_view& in);
absl::StatusOr<uint32_t> ReadU32(std::string_view& in);
absl::StatusOr<uint64_t> ReadU64(std::string_view& in);
absl::StatusOr<int64_t> ReadI64(std::string_view& in);
absl::StatusOr<std::string> ReadString(std::string_view& in);

// The smallest key greater than every key that starts with `prefix`: the
// exclusive upper bound of a prefix scan (ReadOptions::iterate_upper_bound).
// nullopt if there is none (prefix empty or all 0xFF).
std::optional<std::string> PrefixUpperBound(std::string_view prefix);

// PartCodec<T> ties a part type to its encoding. Arg is what Encode takes.
template <typename T>
struct PartCodec;

#define MYELIN_KEYS_FIXED_PART_(T, NAME, APPEND, READ)                       \
  template <>                                                                \
  struct PartCodec<T> {                                                      \
    using Arg = T;                                                           \
    static constexpr std::string_view kLayout = NAME;                        \
    static constexpr size_t SizeHint(T) { return sizeof(T); }                \
    static void Append(std::string& out, T v) { APPEND(out, v); }            \
    static absl::StatusOr<T> Read(std::string_view& in) { return READ(in); } \
  }

MYELIN_KEYS_FIXED_PART_(uint8_t, "u8", AppendU8, ReadU8);
MYELIN_KEYS_FIXED_PART_(uint16_t, "u16", AppendU16, ReadU16);
MYELIN_KEYS_FIXED_PART_(uint32_t, "u32", AppendU32, ReadU32);
MYELIN_KEYS_FIXED_PART_(uint64_t, "u64", AppendU64, ReadU64);
MYELIN_KEYS_FIXED_PART_(int64_t, "i64", AppendI64, ReadI64);
#undef MYELIN_KEYS_FIXED_PART_

template <>
struct PartCodec<std::string> {
  using Arg = std::string_view;
  static constexpr std::string_view kLayout = "str";
  // Exact unless the string contains 0x00 bytes (each costs one more).
  static size_t SizeHint(std::string_view v) { return v.size() + 2; }
  static void Append(std::string& out, std::string_view v) {
    AppendString(out, v);
  }
  static absl::StatusOr<std::string> Read(std::string_view& in) {
    return ReadString(in);
  }
};

// A composite key of the given part types, in order.
template <typename... Parts>
class Key {
 public:
  static_assert(sizeof...(Parts) > 0, "a key has at least one part");
  using Tuple = std::tuple<Parts...>;
  static constexpr size_t kParts = sizeof...(Parts);

  static std::string Encode(typename PartCodec<Parts>::Arg... parts) {
    std::string out;
    out.reserve((PartCodec<Parts>::SizeHint(parts) + ...));
    (PartCodec<Parts>::Append(out, parts), ...);
    return out;
  }

  // Encodes the first sizeof...(Args) parts: the prefix shared by every key
  // whose leading parts equal these.
  template <typename... Args>
  static std::string EncodePrefix(const Args&... args) {
    static_assert(sizeof...(Args) <= kParts, "prefix longer than the key");
    std::string out;
    AppendPrefix(out, std::index_sequence_for<Args...>(), args...);
    return out;
  }

  // Decodes a whole key; every byte must belong to a part.
  static absl::StatusOr<Tuple> Decode(std::string_view bytes) {
    Tuple result;
    absl::Status status =
        ReadAll(bytes, result, std::index_sequence_for<Parts...>());
    if (!status.ok()) return status;
    if (!bytes.empty()) {
      return absl::InvalidArgumentError("key: trailing bytes after last part");
    }
    return result;
  }

  // "u64.str": the layout string used by the column-family registry.
  static std::string Layout() {
    std::string out;
    ((out += (out.empty() ? "" : "."), out += PartCodec<Parts>::kLayout), ...);
    return out;
  }

 private:
  template <size_t... I, typename... Args>
  static void AppendPrefix(std::string& out, std::index_sequence<I...>,
                           const Args&... args) {
    (PartCodec<std::tuple_element_t<I, Tuple>>::Append(out, args), ...);
  }

  template <size_t... I>
  static absl::Status ReadAll(std::string_view& in, Tuple& result,
                              std::index_sequence<I...>) {
    absl::Status status;
    // Stops at the first failure: && short-circuits the fold.
    (void)((status = ReadOne<I>(in, result), status.ok()) && ...);
    return status;
  }

  template <size_t I>
  static absl::Status ReadOne(std::string_view& in, Tuple& result) {
    auto part = PartCodec<std::tuple_element_t<I, Tuple>>::Read(in);
    if (!part.ok()) return part.status();
    std::get<I>(result) = *std::move(part);
    return absl::OkStatus();
  }
};

}  // namespace myelin::storage::keys

#endif  // MYELIN_STORAGE_KEYS_CODEC_H_
