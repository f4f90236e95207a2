#include "dag/crypto/base64.h"

#include <sodium.h>

#include <cstdint>

#include "dag/base/matrix_error.h"

namespace myelin::crypto {
namespace {

std::string Encode(std::string_view bytes, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), variant);
  out.resize(out.size() - 1);  // The encoded length counts the NUL.
  return out;
}

// Strips correct '=' padding; returns false when padding is malformed.
bool StripPadding(std::string_view& text) {
  size_t pad = 0;
  while (pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad == 0) return true;
  if (pad > 2 || text.size() % 4 != 0) return false;
  text.remove_suffix(pad);
  return true;
}

// Maps each byte to its 6-bit value, or -1 when outside the alphabet.
struct DecodeTable {
  explicit constexpr DecodeTable(const char* alphabet) {
    for (int i = 0; i < 256; ++i) value[i] = -1;
    for (int i = 0; i < 64; ++i) {
      value[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    }
  }
  int8_t value[256] = {};
};

constexpr DecodeTable kStandard(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
constexpr DecodeTable kUrlSafe(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

// Our own decoder rather than libsodium's: libsodium rejects non-zero unused
// trailing bits, but the spec's own test seed
// ("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1", appendices, Cryptographic
// Test Vectors) has them, and so may keys from other servers. Like Python's
// base64 module, the unused bits are ignored.
absl::StatusOr<std::string> Decode(std::string_view text,
                                   const DecodeTable& table) {
  if (!StripPadding(text)) return InvalidParam("Malformed base64 padding");
  if (text.size() % 4 == 1) return InvalidParam("Invalid base64 length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = table.value[static_cast<unsigned char>(c)];
    if (v < 0) return InvalidParam("Invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::string EncodeBase64(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

absl::StatusOr<std::string> DecodeBase64(std::string_view text) {
  return Decode(text, kStandard);
}

std::string EncodeBase64UrlSafe(std::string_view bytes) {
  return Encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

absl::StatusOr<std::string> DecodeBase64UrlSafe(std::string_view text) {
  return Decode(text, kUrlSafe);
}

}  // namespace myelin::crypto
