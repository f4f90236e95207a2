#include "storage/keys/codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace myelin::storage::keys {
namespace {

// String parts: 0x00 inside the string is escaped as 0x00 0xFF; the part ends
// with 0x00 0x01. Both continuation bytes sort after the terminator's, so a
// string sorts after every proper prefix of it.
constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xFF';
constexpr char kTerminator = '\x01';

template <typename T>
void AppendBigEndian(std::string& out, T v) {
  char buf[sizeof(T)];
  for (size_t i = 0; i < sizeof(T); ++i) {
    buf[sizeof(T) - 1 - i] = static_cast<char>(v & 0xFF);
    v = static_cast<T>(v >> 8);
  }
  out.append(buf, sizeof(T));
}

template <typename T>
absl::StatusOr<T> ReadBigEndian(std::string_view& in, const char* name) {
  if (in.size() < sizeof(T)) {
    return absl::InvalidArgumentError(absl::StrCat("key: truncated ", name,
                                                   " (", in.size(), " of ",
                                                   sizeof(T), " bytes)"));
  }
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    v = static_cast<T>((v << 8) | static_cast<uint8_t>(in[i]));
  }
  in.remove_prefix(sizeof(T));
  return v;
}

constexpr uint64_t kSignBit = uint64_t{1} << 63;

}  // namespace

void AppendU8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
void AppendU16(std::string& out, uint16_t v) { AppendBigEndian(out, v); }
void AppendU32(std::string& out, uint32_t v) { AppendBigEndian(out, v); }
void AppendU64(std::string& out, uint64_t v) { AppendBigEndian(out, v); }
void AppendI64(std::string& out, int64_t v) {
  AppendBigEndian(out, static_cast<uint64_t>(v) ^ kSignBit);
}

void AppendString(std::string& out, std::string_view s) {
  while (!s.empty()) {
    const void* zero = std::memchr(s.data(), 0, s.size());
    size_t run =
        zero == nullptr ? s.size() : static_cast<const char*>(zero) - s.data();
    out.append(s.data(), run);
    if (run == s.size()) break;
    out.push_back(kEscape);
    out.push_back(kEscapedZero);
    s.remove_prefix(run + 1);
  }
  out.push_back(kEscape);
  out.push_back(kTerminator);
}

absl::StatusOr<uint8_t> ReadU8(std::string_view& in) {
  return ReadBigEndian<uint8_t>(in, "u8");
}
absl::StatusOr<uint16_t> ReadU16(std::string_view& in) {
  return ReadBigEndian<uint16_t>(in, "u16");
}
absl::StatusOr<uint32_t> ReadU32(std::string_view& in) {
  return ReadBigEndian<uint32_t>(in, "u32");
}
absl::StatusOr<uint64_t> ReadU64(std::string_view& in) {
  return ReadBigEndian<uint64_t>(in, "u64");
}
absl::StatusOr<int64_t> ReadI64(std::string_view& in) {
  absl::StatusOr<uint64_t> raw = ReadBigEndian<uint64_t>(in, "i64");
  if (!raw.ok()) return raw.status();
  return static_cast<int64_t>(*raw ^ kSignBit);
}

absl::StatusOr<std::string> ReadString(std::string_view& in) {
  std::string out;
  std::string_view rest = in;
  while (true) {
    const void* zero = std::memchr(rest.data(), 0, rest.size());
    if (zero == nullptr) {
      return absl::InvalidArgumentError("key: string part without terminator");
    }
    size_t run = static_cast<const char*>(zero) - rest.data();
    out.append(rest.data(), run);
    if (run + 1 >= rest.size()) {
      return absl::InvalidArgumentError("key: truncated string escape");
    }
    char next = rest[run + 1];
    rest.remove_prefix(run + 2);
    if (next == kTerminator) break;
    if (next != kEscapedZero) {
      return absl::InvalidArgumentError("key: invalid string escape");
    }
    out.push_back('\0');
  }
  in = rest;
  return out;
}

std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty()) {
    if (static_cast<uint8_t>(bound.back()) != 0xFF) {
      bound.back() = static_cast<char>(static_cast<uint8_t>(bound.back()) + 1);
      return bound;
    }
    bound.pop_back();
  }
  return std::nullopt;
}

}  // namespace myelin::storage::keys
