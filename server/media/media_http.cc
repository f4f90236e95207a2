#include "server/media/media_http.h"

#include <algorithm>
#include <cctype>
#include <iterator>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"
#include "sodium.h"

namespace myelin::media {
namespace {

constexpr std::string_view kIdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr size_t kIdLength = 24;
constexpr size_t kMaxIdLength = 255;

// Spec: "Serving inline content".
constexpr std::string_view kInlineSafe[] = {
    "text/css",        "text/plain",    "text/csv",       "application/json",
    "application/ld+json", "image/jpeg", "image/gif",     "image/png",
    "image/apng",      "image/webp",    "image/avif",     "video/mp4",
    "video/webm",      "video/ogg",     "video/quicktime", "audio/mp4",
    "audio/webm",      "audio/aac",     "audio/mpeg",     "audio/ogg",
    "audio/wave",      "audio/wav",     "audio/x-wav",    "audio/x-pn-wav",
    "audio/flac",      "audio/x-flac"};

// The type without parameters, lower case: "Text/Plain; charset=x" ->
// "text/plain".
std::string BareType(std::string_view content_type) {
  std::string_view bare = content_type.substr(0, content_type.find(';'));
  while (!bare.empty() && bare.back() == ' ') bare.remove_suffix(1);
  std::string lower(bare);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lower;
}

bool IsAttrChar(unsigned char c) {
  // RFC 5987 attr-char.
  return std::isalnum(c) || std::string_view("!#$&+-.^_`|~").find(c) !=
                                std::string_view::npos;
}

}  // namespace

std::string NewMediaId() {
  std::string id(kIdLength, ' ');
  for (char& c : id) {
    c = kIdAlphabet[randombytes_uniform(kIdAlphabet.size())];
  }
  return id;
}

bool IsValidMediaId(std::string_view media_id) {
  return !media_id.empty() && media_id.size() <= kMaxIdLength &&
         std::all_of(media_id.begin(), media_id.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-';
         });
}

bool IsInlineSafe(std::string_view content_type) {
  std::string bare = BareType(content_type);
  if (bare.empty()) return false;
  return std::find(std::begin(kInlineSafe), std::end(kInlineSafe), bare) !=
         std::end(kInlineSafe);
}

std::string ContentDisposition(std::string_view content_type,
                               std::string_view filename) {
  std::string out = IsInlineSafe(content_type) ? "inline" : "attachment";
  if (filename.empty()) return out;
  bool ascii = std::all_of(filename.begin(), filename.end(), [](unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (ascii) return absl::StrCat(out, "; filename=\"", AV(filename), "\"");
  std::string encoded;
  for (unsigned char c : filename) {
    if (IsAttrChar(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      constexpr std::string_view kHex = "0123456789ABCDEF";
      encoded.push_back('%');
      encoded.push_back(kHex[c >> 4]);
      encoded.push_back(kHex[c & 0xf]);
    }
  }
  return absl::StrCat(out, "; filename*=utf-8''", encoded);
}

absl::StatusOr<std::optional<ByteRange>> ParseRange(std::string_view header,
                                                    uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (!header.starts_with(kPrefix)) return std::nullopt;
  std::string_view spec = header.substr(kPrefix.size());
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  absl::Status unsatisfiable = absl::OutOfRangeError("range not satisfiable");
  if (first_text.empty()) {
    // Suffix: the last N bytes.
    if (!absl::SimpleAtoi(AV(last_text), &last)) return std::nullopt;
    if (last == 0 || size == 0) return unsatisfiable;
    uint64_t length = std::min(last, size);
    return ByteRange{size - length, length};
  }
  if (!absl::SimpleAtoi(AV(first_text), &first)) return std::nullopt;
  if (first >= size) return unsatisfiable;
  if (last_text.empty()) {
    last = size - 1;
  } else if (!absl::SimpleAtoi(AV(last_text), &last) || last < first) {
    return std::nullopt;
  }
  last = std::min(last, size - 1);
  return ByteRange{first, last - first + 1};
}

ThumbnailSize ChooseThumbnailSize(uint32_t width, uint32_t height, bool crop) {
  static constexpr ThumbnailSize kSizes[] = {
      {32, 32, true}, {96, 96, true}, {320, 240, false},
      {640, 480, false}, {800, 600, false}};
  const ThumbnailSize* best = nullptr;
  const ThumbnailSize* largest = nullptr;
  for (const ThumbnailSize& size : kSizes) {
    if (size.crop != crop) continue;
    largest = &size;
    if (best == nullptr && size.width >= width && size.height >= height) {
      best = &size;
    }
  }
  return *(best != nullptr ? best : largest);
}

}  // namespace myelin::media
