// The HTTP details of the media repository (Spec: client-server-api,
// "Content repository"), pure so they are tested on their own: media ids,
// Content-Disposition, byte ranges and the thumbnail sizes offered.
#ifndef MYELIN_SERVER_MEDIA_MEDIA_HTTP_H_
#define MYELIN_SERVER_MEDIA_MEDIA_HTTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace myelin::media {

// A fresh media id: 24 random characters of [A-Za-z0-9] (Spec: "Matrix
// Content (mxc://) URIs" — only A-Za-z0-9, _ and -).
std::string NewMediaId();
// Whether `media_id` has only the characters the spec allows (and is not
// empty or absurdly long).
bool IsValidMediaId(std::string_view media_id);

// Spec: "Serving inline content" — the types that may be shown inline.
bool IsInlineSafe(std::string_view content_type);

// The Content-Disposition header of a download: inline for inline-safe
// types, attachment otherwise, with the file name (if any) as a quoted
// ASCII `filename` and, when it is not plain ASCII, an RFC 6266/5987
// `filename*=utf-8''...`.
std::string ContentDisposition(std::string_view content_type,
                               std::string_view filename);

// A single "bytes=" range of a resource of `size` bytes (RFC 9110 14.2):
// first-last, first-, or -suffix. nullopt when the header is absent or not
// a single byte range we serve (the whole body is sent then);
// OutOfRange when unsatisfiable (416).
struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};
absl::StatusOr<std::optional<ByteRange>> ParseRange(std::string_view header,
                                                    uint64_t size);

// Spec: "Thumbnails" — servers offer a fixed set of sizes and return the
// smallest one at least as large as asked (for the method), else the
// largest. Synapse's default set: 32x32 and 96x96 crop; 320x240, 640x480
// and 800x600 scale.
struct ThumbnailSize {
  uint32_t width = 0;
  uint32_t height = 0;
  bool crop = false;
};
ThumbnailSize ChooseThumbnailSize(uint32_t width, uint32_t height, bool crop);

}  // namespace myelin::media

#endif  // MYELIN_SERVER_MEDIA_MEDIA_HTTP_H_
