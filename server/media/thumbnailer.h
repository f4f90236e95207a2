// Thumbnails of uploaded images, with libvips.
//
// Spec: client-server API, content repository, "Thumbnails". Pure functions
// from bytes to bytes: no storage, no I/O. The input is untrusted: every
// image is checked against ImageLimits from its header before any pixel is
// decoded, and only the JPEG, PNG, WebP and GIF decoders are enabled (libvips'
// other loaders, ImageMagick among them, are blocked process-wide on first
// use).
//
// Thread safety: every function may be called from any thread concurrently.
// libvips is initialised once, on first use, with one worker thread per
// operation and no operation cache.
#ifndef MYELIN_SERVER_MEDIA_THUMBNAILER_H_
#define MYELIN_SERVER_MEDIA_THUMBNAILER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace myelin::media {

enum class ThumbnailMethod { kScale, kCrop };

struct ThumbnailRequest {
  // Both must be in [1, ImageLimits::max_dimension].
  uint32_t width = 0, height = 0;
  ThumbnailMethod method = ThumbnailMethod::kScale;
  // Keep the animation of an animated GIF or WebP (output animated WebP).
  bool animated = false;
};

// Decompression-bomb limits for untrusted images, checked from the header
// before decoding pixels.
struct ImageLimits {
  // Width x height of one frame; for an animated thumbnail, of all frames
  // together.
  uint64_t max_pixels = 32'000'000;
  // Width and height of the source, and of the requested thumbnail.
  uint32_t max_dimension = 16'384;
  // Frames of an animated source (checked even for a still thumbnail).
  uint32_t max_frames = 300;
};

struct Thumbnail {
  std::string bytes;
  std::string content_type;  // "image/jpeg", "image/png" or "image/webp"
  uint32_t width = 0, height = 0;  // of one frame
};

// Types we thumbnail: image/jpeg, image/png, image/webp, image/gif
// (exact, lower case; parameters such as "; charset" are not accepted).
bool CanThumbnail(std::string_view content_type);

// Spec (content_repo.md, "Thumbnails"):
// - kScale: fit within width x height keeping the aspect ratio; never
//   upscale (a source smaller than the box is re-encoded at its own size).
// - kCrop: fill exactly width x height, cropping the excess around the
//   centre. A source smaller than the box is not upscaled either: the output
//   is the largest rectangle of the requested aspect ratio that fits it.
// EXIF orientation is applied. Output: JPEG input gives JPEG; PNG, WebP and
// GIF give PNG of the first frame, except that `animated` with an animated
// GIF or WebP gives an animated WebP with every frame scaled.
//
// The format is sniffed from the bytes; `content_type` must satisfy
// CanThumbnail but need not match them (uploads are often mislabelled).
//
// Errors: InvalidArgument, with a message saying which, for an unsupported
// type, undecodable or truncated data, an image over `limits`, and requested
// dimensions that are zero or over limits.max_dimension. Pixels are decoded
// lazily while encoding, so an encoder failure is reported as bad input too.
// Internal if libvips fails to initialise.
absl::StatusOr<Thumbnail> MakeThumbnail(std::string_view image,
                                        std::string_view content_type,
                                        const ThumbnailRequest& request,
                                        const ImageLimits& limits = {});

// {width, height} of a JPEG, PNG, WebP or GIF from its header only, after
// EXIF orientation (for limits and for m.image `info`). For an animated image,
// one frame. InvalidArgument if the header does not parse.
absl::StatusOr<std::pair<uint32_t, uint32_t>> ImageSize(
    std::string_view image);

}  // namespace myelin::media

#endif  // MYELIN_SERVER_MEDIA_THUMBNAILER_H_
