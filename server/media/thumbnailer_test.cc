#include "server/media/thumbnailer.h"

#include <vips/vips8>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace myelin::media {
namespace {

using ::testing::HasSubstr;
using vips::VImage;

// A w x h sRGB gradient (so codecs have something to encode).
VImage Gradient(int w, int h, int seed = 0) {
  VImage xyz = VImage::xyz(w, h);
  VImage rgb = (xyz[0] * 255 / w + seed).bandjoin(xyz[1] * 255 / h)
                   .bandjoin(xyz[0] + xyz[1])
                   .cast(VIPS_FORMAT_UCHAR);
  return rgb.copy(VImage::option()->set("interpretation",
                                        VIPS_INTERPRETATION_sRGB));
}

std::string Encode(const VImage& image, const char* suffix) {
  void* buf = nullptr;
  size_t len = 0;
  image.write_to_buffer(suffix, &buf, &len);
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

// `frames` frames of w x h stacked vertically, as libvips keeps animations.
VImage Animation(int w, int h, int frames) {
  std::vector<VImage> pages;
  for (int i = 0; i < frames; ++i) pages.push_back(Gradient(w, h, i * 40));
  VImage strip = VImage::arrayjoin(pages, VImage::option()->set("across", 1));
  strip = strip.copy();
  strip.set("page-height", h);
  strip.set("delay", std::vector<int>(frames, 100));
  strip.set("loop", 0);
  return strip;
}

struct Decoded {
  int width, height, frames;
  std::string loader;
};

Decoded Decode(const std::string& bytes) {
  const char* loader = vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  if (loader != nullptr) loader = vips_nickname_find(g_type_from_name(loader));
  bool multipage = loader != nullptr && (std::string(loader) == "gifload_buffer" ||
                                         std::string(loader) == "webpload_buffer");
  VImage image = VImage::new_from_buffer(
      bytes, "", multipage ? VImage::option()->set("n", -1) : nullptr);
  return {image.width(), vips_image_get_page_height(image.get_image()),
          vips_image_get_n_pages(image.get_image()), loader ? loader : ""};
}

class ThumbnailerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Initialises libvips (MakeThumbnail would too).
    ASSERT_FALSE(ImageSize("x").ok());
  }
};

TEST_F(ThumbnailerTest, CanThumbnail) {
  EXPECT_TRUE(CanThumbnail("image/jpeg"));
  EXPECT_TRUE(CanThumbnail("image/png"));
  EXPECT_TRUE(CanThumbnail("image/webp"));
  EXPECT_TRUE(CanThumbnail("image/gif"));
  EXPECT_FALSE(CanThumbnail("image/svg+xml"));
  EXPECT_FALSE(CanThumbnail("image/tiff"));
  EXPECT_FALSE(CanThumbnail("text/plain"));
  EXPECT_FALSE(CanThumbnail(""));
}

TEST_F(ThumbnailerTest, ScaleKeepsAspectRatio) {
  std::string jpeg = Encode(Gradient(800, 600), ".jpg");
  auto thumb = MakeThumbnail(jpeg, "image/jpeg", {320, 320});
  ASSERT_TRUE(thumb.ok()) << thumb.status();
  EXPECT_EQ(thumb->width, 320u);
  EXPECT_EQ(thumb->height, 240u);
  EXPECT_EQ(thumb->content_type, "image/jpeg");
  Decoded d = Decode(thumb->bytes);
  EXPECT_EQ(d.width, 320);
  EXPECT_EQ(d.height, 240);
  EXPECT_EQ(d.loader, "jpegload_buffer");

  // Box narrower than the image's ratio: height follows.
  thumb = MakeThumbnail(jpeg, "image/jpeg", {100, 400});
  ASSERT_TRUE(thumb.ok()) << thumb.status();
  EXPECT_EQ(thumb->width, 100u);
  EXPECT_EQ(thumb->height, 75u);
}

TEST_F(ThumbnailerTest, ScaleNeverUpscales) {
  std::string png = Encode(Gradient(64, 48), ".png");
  auto thumb = MakeThumbnail(png, "image/png", {640, 480});
  ASSERT_TRUE(thumb.ok()) << thumb.status();
  EXPECT_EQ(thumb->width, 64u);
  EXPECT_EQ(thumb->height, 48u);
  EXPECT_EQ(Decode(thumb->bytes).width, 64);
}

TEST_F(ThumbnailerTest, CropGivesExactSize) {
  std::string jpeg = Encode(Gradient(800, 600), ".jpg");
  for (auto [w, h] : std::vector<std::pair<uint32_t, uint32_t>>{
           {96, 96}, {320, 240}, {100, 300}, {799, 13}}) {
    auto thumb =
        MakeThumbnail(jpeg, "image/jpeg", {w, h, ThumbnailMethod::kCrop});
    ASSERT_TRUE(thumb.ok()) << thumb.status();
    EXPECT_EQ(thumb->width, w);
    EXPECT_EQ(thumb->height, h);
    Decoded d = Decode(thumb->bytes);
    EXPECT_EQ(d.width, static_cast<int>(w));
    EXPECT_EQ(d.height, static_cast<int>(h));
  }
}

TEST_F(ThumbnailerTest, CropOfSmallImageKeepsRatioWithoutUpscaling) {
  std::string png = Encode(Gradient(100, 50), ".png");
  auto thumb = MakeThumbnail(png, "image/png", {96, 96, ThumbnailMethod::kCrop});
  ASSERT_TRUE(thumb.ok()) << thumb.status();
  EXPECT_EQ(thumb->width, 50u);
  EXPECT_EQ(thumb->height, 50u);
}

TEST_F(ThumbnailerTest, EachFormatGivesItsOutputType) {
  VImage image = Gradient(300, 200);
  struct Case {
    const char* suffix;
    const char* content_type;
    const char* want_type;
    const char* want_loader;
  };
  for (const Case& c : {Case{".jpg", "image/jpeg", "image/jpeg", "jpegload_buffer"},
                        Case{".png", "image/png", "image/png", "pngload_buffer"},
                        Case{".webp", "image/webp", "image/png", "pngload_buffer"},
                        Case{".gif", "image/gif", "image/png", "pngload_buffer"}}) {
    SCOPED_TRACE(c.suffix);
    std::string bytes = Encode(image, c.suffix);
    auto thumb = MakeThumbnail(bytes, c.content_type, {150, 150});
    ASSERT_TRUE(thumb.ok()) << thumb.status();
    EXPECT_EQ(thumb->content_type, c.want_type);
    EXPECT_EQ(thumb->width, 150u);
    EXPECT_EQ(thumb->height, 100u);
    Decoded d = Decode(thumb->bytes);
    EXPECT_EQ(d.loader, c.want_loader);
    EXPECT_EQ(d.width, 150);
    EXPECT_EQ(d.height, 100);
    EXPECT_EQ(d.frames, 1);
  }
}

TEST_F(ThumbnailerTest, AnimatedKeepsFramesOnlyWhenAsked) {
  VImage animation = Animation(200, 100, 4);
  for (const char* suffix : {".gif", ".webp"}) {
    SCOPED_TRACE(suffix);
    std::string bytes = Encode(animation, suffix);
    ASSERT_EQ(Decode(bytes).frames, 4);
    const char* type = suffix == std::string(".gif") ? "image/gif" : "image/webp";

    ThumbnailRequest request{100, 100};
    request.animated = true;
    auto thumb = MakeThumbnail(bytes, type, request);
    ASSERT_TRUE(thumb.ok()) << thumb.status();
    EXPECT_EQ(thumb->content_type, "image/webp");
    EXPECT_EQ(thumb->width, 100u);
    EXPECT_EQ(thumb->height, 50u);
    Decoded d = Decode(thumb->bytes);
    EXPECT_EQ(d.loader, "webpload_buffer");
    EXPECT_EQ(d.frames, 4);
    EXPECT_EQ(d.width, 100);
    EXPECT_EQ(d.height, 50);

    request.method = ThumbnailMethod::kCrop;
    request.width = request.height = 40;
    thumb = MakeThumbnail(bytes, type, request);
    ASSERT_TRUE(thumb.ok()) << thumb.status();
    d = Decode(thumb->bytes);
    EXPECT_EQ(d.frames, 4);
    EXPECT_EQ(d.width, 40);
    EXPECT_EQ(d.height, 40);

    request.animated = false;
    thumb = MakeThumbnail(bytes, type, request);
    ASSERT_TRUE(thumb.ok()) << thumb.status();
    EXPECT_EQ(thumb->content_type, "image/png");
    d = Decode(thumb->bytes);
    EXPECT_EQ(d.frames, 1);
    EXPECT_EQ(d.width, 40);
    EXPECT_EQ(d.height, 40);
  }
}

TEST_F(ThumbnailerTest, AnimationOverFrameLimitRefused) {
  std::string gif = Encode(Animation(20, 20, 5), ".gif");
  ImageLimits limits;
  limits.max_frames = 4;
  ThumbnailRequest request{10, 10};
  request.animated = true;
  auto thumb = MakeThumbnail(gif, "image/gif", request, limits);
  EXPECT_EQ(thumb.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(thumb.status().message()), HasSubstr("frames"));
  // All frames together count against max_pixels.
  limits = ImageLimits{};
  limits.max_pixels = 20 * 20 * 4;
  thumb = MakeThumbnail(gif, "image/gif", request, limits);
  EXPECT_EQ(thumb.status().code(), absl::StatusCode::kInvalidArgument);
  request.animated = false;
  EXPECT_TRUE(MakeThumbnail(gif, "image/gif", request, limits).ok());
}

TEST_F(ThumbnailerTest, TruncatedAndGarbageRefused) {
  std::string jpeg = Encode(Gradient(400, 300), ".jpg");
  std::string png = Encode(Gradient(400, 300), ".png");
  std::string webp = Encode(Gradient(400, 300), ".webp");
  std::string gif = Encode(Gradient(400, 300), ".gif");
  struct Case {
    std::string bytes;
    const char* type;
  };
  std::vector<Case> cases = {
      {jpeg.substr(0, jpeg.size() / 2), "image/jpeg"},
      {png.substr(0, png.size() / 2), "image/png"},
      {webp.substr(0, webp.size() / 2), "image/webp"},
      {gif.substr(0, gif.size() / 2), "image/gif"},
      {jpeg.substr(0, 10), "image/jpeg"},
      {"", "image/png"},
      {"this is not an image at all", "image/png"},
      {std::string(1000, '\xff'), "image/jpeg"},
      {"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>",
       "image/png"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    auto thumb = MakeThumbnail(c.bytes, c.type, {64, 64});
    EXPECT_EQ(thumb.status().code(), absl::StatusCode::kInvalidArgument)
        << thumb.status() << " size " << c.bytes.size();
  }
}

TEST_F(ThumbnailerTest, UnsupportedTypeAndBadSizesRefused) {
  std::string png = Encode(Gradient(40, 30), ".png");
  EXPECT_EQ(MakeThumbnail(png, "image/tiff", {16, 16}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeThumbnail(png, "image/png", {0, 16}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeThumbnail(png, "image/png", {16, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeThumbnail(png, "image/png", {100'000, 16}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A TIFF is refused even when labelled as PNG.
  std::string tiff = Encode(Gradient(40, 30), ".tif");
  auto thumb = MakeThumbnail(tiff, "image/png", {16, 16});
  EXPECT_EQ(thumb.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ImageSize(tiff).ok());
}

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void PutBigEndian(std::string& s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>(v >> (24 - 8 * i));
}

// A tiny PNG whose IHDR claims w x h (the pixel data stays tiny).
std::string PngClaiming(uint32_t w, uint32_t h) {
  std::string png = Encode(Gradient(4, 4), ".png");
  // Signature (8), length (4), "IHDR" (4), width at 16, height at 20,
  // 13 data bytes, CRC over type + data at 29.
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  PutBigEndian(png, 16, w);
  PutBigEndian(png, 20, h);
  PutBigEndian(png, 29, Crc32(std::string_view(png).substr(12, 17)));
  return png;
}

TEST_F(ThumbnailerTest, HugeHeaderRefusedBeforeDecoding) {
  std::string bomb = PngClaiming(100'000, 100'000);
  auto size = ImageSize(bomb);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, std::make_pair(100'000u, 100'000u));
  auto thumb = MakeThumbnail(bomb, "image/png", {64, 64});
  EXPECT_EQ(thumb.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(thumb.status().message()), HasSubstr("limit"));

  // Each side within limits but too many pixels.
  thumb = MakeThumbnail(PngClaiming(6000, 6000), "image/png", {64, 64});
  EXPECT_THAT(std::string(thumb.status().message()), HasSubstr("limit of 32000000 pixels"));
  // Pixels fine, one side too long.
  thumb = MakeThumbnail(PngClaiming(20000, 10), "image/png", {64, 64});
  EXPECT_THAT(std::string(thumb.status().message()), HasSubstr("a side"));
}

TEST_F(ThumbnailerTest, ImageSizeFromHeader) {
  for (const char* suffix : {".jpg", ".png", ".webp", ".gif"}) {
    SCOPED_TRACE(suffix);
    auto size = ImageSize(Encode(Gradient(123, 45), suffix));
    ASSERT_TRUE(size.ok()) << size.status();
    EXPECT_EQ(*size, std::make_pair(123u, 45u));
  }
  auto size = ImageSize(Encode(Animation(30, 20, 3), ".gif"));
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, std::make_pair(30u, 20u));
  EXPECT_EQ(ImageSize("garbage").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ThumbnailerTest, ConcurrentCallsAgree) {
  std::string jpeg = Encode(Gradient(640, 480), ".jpg");
  std::string gif = Encode(Animation(64, 48, 3), ".gif");
  auto want = MakeThumbnail(jpeg, "image/jpeg", {96, 96, ThumbnailMethod::kCrop});
  ASSERT_TRUE(want.ok()) << want.status();
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto thumb =
            MakeThumbnail(jpeg, "image/jpeg", {96, 96, ThumbnailMethod::kCrop});
        if (!thumb.ok() || thumb->bytes != want->bytes) ++failures[t];
        ThumbnailRequest animated{32, 32};
        animated.animated = true;
        if (!MakeThumbnail(gif, "image/gif", animated).ok()) ++failures[t];
        if (MakeThumbnail(jpeg.substr(0, 100), "image/jpeg", {32, 32}).ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace myelin::media
