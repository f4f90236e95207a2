#include "server/media/thumbnailer.h"

#include <vips/vips.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dag/base/status_macros.h"

namespace myelin::media {
namespace {

enum class Format { kJpeg, kPng, kWebp, kGif };

// The only decoders that ever see untrusted bytes (libvips nicknames).
struct Loader {
  const char* nickname;
  Format format;
};
constexpr Loader kLoaders[] = {
    {"jpegload_buffer", Format::kJpeg},
    {"pngload_buffer", Format::kPng},
    {"webpload_buffer", Format::kWebp},
    {"gifload_buffer", Format::kGif},
};

// Errors in a truncated file fail the load instead of giving grey pixels.
constexpr char kLoadOptions[] = "[fail_on=truncated]";
constexpr char kAnimatedLoadOptions[] = "[n=-1,fail_on=truncated]";

struct GObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
using ImagePtr = std::unique_ptr<VipsImage, GObjectUnref>;

struct GFree {
  void operator()(void* p) const { g_free(p); }
};

// libvips' error buffer is per process; take (and clear) its text.
std::string TakeVipsError() {
  std::unique_ptr<char, GFree> text(vips_error_buffer_copy());
  std::string message = text ? text.get() : "";
  while (!message.empty() && message.back() == '\n') message.pop_back();
  for (char& c : message) {
    if (c == '\n') c = ';';
  }
  return message;
}

absl::Status VipsInvalid(std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: %s", what, TakeVipsError()));
}

absl::Status InitVips() {
  static std::once_flag once;
  static absl::Status* status = nullptr;  // never destroyed
  std::call_once(once, [] {
    if (VIPS_INIT("myelin") != 0) {
      status = new absl::Status(absl::InternalError(
          absl::StrFormat("libvips init: %s", TakeVipsError())));
      return;
    }
    // Thumbnails run on request threads; one vips worker each is enough on
    // small servers, and cached operations would pin decoded images.
    vips_concurrency_set(1);
    // Bad uploads are routine and reported as Status; libvips would also
    // print a warning per bad tile on stderr.
    g_log_set_handler(
        "VIPS", G_LOG_LEVEL_WARNING,
        [](const gchar*, GLogLevelFlags, const gchar*, gpointer) {}, nullptr);
    vips_cache_set_max(0);
    // Untrusted input: no loader runs except the four we thumbnail.
    vips_block_untrusted_set(TRUE);
    vips_operation_block_set("VipsForeignLoad", TRUE);
    for (const Loader& loader : kLoaders) {
      GType type = vips_type_find("VipsOperation", loader.nickname);
      if (type != 0) vips_operation_block_set(g_type_name(type), FALSE);
    }
    status = new absl::Status();
  });
  return *status;
}

struct Header {
  Format format;
  uint32_t width;   // after EXIF orientation
  uint32_t height;  // of one frame, after EXIF orientation
  uint32_t frames;
};

// Parses the header only: no pixel is decoded.
absl::StatusOr<Header> ReadHeader(std::string_view image) {
  RETURN_IF_ERROR(InitVips());
  if (image.empty()) return absl::InvalidArgumentError("image is empty");
  // The GType name of the loader, such as "VipsForeignLoadPngBuffer".
  const char* type_name =
      vips_foreign_find_load_buffer(image.data(), image.size());
  if (type_name == nullptr) {
    vips_error_clear();
    return absl::InvalidArgumentError(
        "image is not a JPEG, PNG, WebP or GIF (or it is corrupt)");
  }
  const Loader* loader = nullptr;
  for (const Loader& l : kLoaders) {
    GType type = vips_type_find("VipsOperation", l.nickname);
    if (type != 0 && std::string_view(type_name) == g_type_name(type)) {
      loader = &l;
    }
  }
  if (loader == nullptr) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "image format (%s) is not one we thumbnail", type_name));
  }
  ImagePtr header(vips_image_new_from_buffer(
      image.data(), image.size(), kLoadOptions, "access",
      VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (header == nullptr) return VipsInvalid("image header does not parse");
  int width = vips_image_get_width(header.get());
  int height = vips_image_get_page_height(header.get());
  int frames = vips_image_get_n_pages(header.get());
  if (width <= 0 || height <= 0 || frames <= 0) {
    return absl::InvalidArgumentError("image header has no size");
  }
  if (vips_image_get_orientation_swap(header.get())) std::swap(width, height);
  return Header{loader->format, static_cast<uint32_t>(width),
                static_cast<uint32_t>(height), static_cast<uint32_t>(frames)};
}

absl::Status CheckLimits(const Header& header, bool animated,
                         const ImageLimits& limits) {
  if (header.width > limits.max_dimension ||
      header.height > limits.max_dimension) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "image is %dx%d, over the limit of %d pixels a side", header.width,
        header.height, limits.max_dimension));
  }
  uint64_t pixels = uint64_t{header.width} * header.height;
  if (pixels > limits.max_pixels) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "image is %dx%d, over the limit of %d pixels", header.width,
        header.height, limits.max_pixels));
  }
  if (header.frames > limits.max_frames) {
    return absl::InvalidArgumentError(
        absl::StrFormat("image has %d frames, over the limit of %d",
                        header.frames, limits.max_frames));
  }
  if (animated && pixels * header.frames > limits.max_pixels) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "animation is %dx%d x %d frames, over the limit of %d pixels",
        header.width, header.height, header.frames, limits.max_pixels));
  }
  return absl::OkStatus();
}

// Centre-crops every frame of an animation (libvips 8.14's thumbnail crop
// treats the frames, stacked vertically, as one image) to width x height.
absl::StatusOr<ImagePtr> CropFrames(VipsImage* in, int width, int height) {
  const int page_height = vips_image_get_page_height(in);
  const int frames = vips_image_get_height(in) / page_height;
  width = std::min(width, vips_image_get_width(in));
  height = std::min(height, page_height);
  const int left = (vips_image_get_width(in) - width) / 2;
  const int top = (page_height - height) / 2;
  std::vector<ImagePtr> pages;
  std::vector<VipsImage*> raw_pages;
  for (int i = 0; i < frames; ++i) {
    VipsImage* page = nullptr;
    if (vips_crop(in, &page, left, i * page_height + top, width, height,
                  nullptr) != 0) {
      return absl::InternalError(absl::StrFormat("crop: %s", TakeVipsError()));
    }
    pages.emplace_back(page);
    raw_pages.push_back(page);
  }
  VipsImage* joined = nullptr;
  if (vips_arrayjoin(raw_pages.data(), &joined, frames, "across", 1,
                     nullptr) != 0) {
    return absl::InternalError(
        absl::StrFormat("arrayjoin: %s", TakeVipsError()));
  }
  ImagePtr out(joined);
  vips_image_set_int(out.get(), "page-height", height);
  return out;
}

}  // namespace

bool CanThumbnail(std::string_view content_type) {
  return content_type == "image/jpeg" || content_type == "image/png" ||
         content_type == "image/webp" || content_type == "image/gif";
}

absl::StatusOr<std::pair<uint32_t, uint32_t>> ImageSize(
    std::string_view image) {
  ASSIGN_OR_RETURN(Header header, ReadHeader(image));
  return std::make_pair(header.width, header.height);
}

absl::StatusOr<Thumbnail> MakeThumbnail(std::string_view image,
                                        std::string_view content_type,
                                        const ThumbnailRequest& request,
                                        const ImageLimits& limits) {
  if (!CanThumbnail(content_type)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "content type '%s' is not one we thumbnail", content_type));
  }
  if (request.width == 0 || request.height == 0 ||
      request.width > limits.max_dimension ||
      request.height > limits.max_dimension) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "thumbnail size %dx%d is not within 1..%d a side", request.width,
        request.height, limits.max_dimension));
  }
  ASSIGN_OR_RETURN(Header header, ReadHeader(image));
  const bool animated = request.animated && header.frames > 1 &&
                        (header.format == Format::kGif ||
                         header.format == Format::kWebp);
  RETURN_IF_ERROR(CheckLimits(header, animated, limits));

  // Target box. Never upscale: for crop, shrink the box (keeping its aspect
  // ratio) until it fits in the source.
  int width = static_cast<int>(request.width);
  int height = static_cast<int>(request.height);
  const bool crop = request.method == ThumbnailMethod::kCrop;
  if (crop) {
    double f = std::min({1.0, static_cast<double>(header.width) / width,
                         static_cast<double>(header.height) / height});
    width = std::max(1, static_cast<int>(std::lround(width * f)));
    height = std::max(1, static_cast<int>(std::lround(height * f)));
  }

  // An animation is scaled to cover the box, then each frame cropped.
  const bool crop_frames = crop && animated;
  int box_width = width, box_height = height;
  if (crop_frames) {
    // Let the side that must fill the box set the scale.
    if (uint64_t{header.width} * height >= uint64_t{header.height} * width) {
      box_width = VIPS_MAX_COORD;
    } else {
      box_height = VIPS_MAX_COORD;
    }
  }

  VipsImage* raw = nullptr;
  // vips_thumbnail_buffer shrinks on load (JPEG DCT scaling, WebP) and
  // streams the rest. It sniffs the format again; blocked loaders stay so.
  int rc = vips_thumbnail_buffer(
      const_cast<char*>(image.data()), image.size(), &raw, box_width, "height",
      box_height, "size", VIPS_SIZE_DOWN, "crop",
      crop && !crop_frames ? VIPS_INTERESTING_CENTRE : VIPS_INTERESTING_NONE,
      "option_string", animated ? kAnimatedLoadOptions : kLoadOptions,
      nullptr);
  ImagePtr out(raw);
  if (rc != 0 || out == nullptr) return VipsInvalid("image does not decode");
  if (crop_frames) {
    ASSIGN_OR_RETURN(out, CropFrames(out.get(), width, height));
  }

  if (animated) {
    // libvips 8.14.1's webpsave leaks its WebPAnimEncoder when a frame fails
    // to decode mid-save (found by thumbnail_fuzzer): decode the (small,
    // already scaled) frames first, so that the save cannot fail on input.
    VipsImage* decoded = vips_image_copy_memory(out.get());
    if (decoded == nullptr) return VipsInvalid("image does not decode");
    out.reset(decoded);
  }

  Thumbnail thumbnail;
  void* buffer = nullptr;
  size_t length = 0;
  // Pixels are decoded here, lazily: a failure is (almost always) bad input.
  if (header.format == Format::kJpeg) {
    thumbnail.content_type = "image/jpeg";
    rc = vips_jpegsave_buffer(out.get(), &buffer, &length, "Q", 80, "strip",
                              TRUE, "optimize_coding", TRUE, nullptr);
  } else if (animated) {
    thumbnail.content_type = "image/webp";
    rc = vips_webpsave_buffer(out.get(), &buffer, &length, "Q", 80, "strip",
                              TRUE, nullptr);
  } else {
    thumbnail.content_type = "image/png";
    rc = vips_pngsave_buffer(out.get(), &buffer, &length, "strip", TRUE,
                             nullptr);
  }
  std::unique_ptr<void, GFree> owned(buffer);
  if (rc != 0 || buffer == nullptr) return VipsInvalid("image does not decode");
  thumbnail.bytes.assign(static_cast<const char*>(buffer), length);
  thumbnail.width = static_cast<uint32_t>(vips_image_get_width(out.get()));
  thumbnail.height =
      static_cast<uint32_t>(vips_image_get_page_height(out.get()));
  return thumbnail;
}

}  // namespace myelin::media
