// Thumbnails per second of a 1920x1080 photo-like image, as JPEG and PNG:
// 320x240 scale and 96x96 crop (the sizes Synapse pre-generates).
#include <vips/vips8>

#include <map>
#include <string>

#include "benchmark/benchmark.h"
#include "server/media/thumbnailer.h"

namespace myelin::media {
namespace {

using vips::VImage;

// 1920x1080 sRGB with a gradient plus noise, so the codecs do real work.
const std::string& Source(const char* suffix) {
  static auto* cache = new std::map<std::string, std::string>;
  std::string& bytes = (*cache)[suffix];
  if (bytes.empty()) {
    (void)ImageSize("");  // initialises libvips
    const int w = 1920, h = 1080;
    VImage xyz = VImage::xyz(w, h);
    VImage noise = VImage::gaussnoise(w, h, VImage::option()->set("sigma", 20));
    VImage rgb = (xyz[0] * 255 / w + noise)
                     .bandjoin(xyz[1] * 255 / h + noise)
                     .bandjoin((xyz[0] + xyz[1]) * 127 / (w + h) + noise)
                     .cast(VIPS_FORMAT_UCHAR)
                     .copy(VImage::option()->set("interpretation",
                                                 VIPS_INTERPRETATION_sRGB));
    void* buf = nullptr;
    size_t len = 0;
    rgb.write_to_buffer(suffix, &buf, &len);
    bytes.assign(static_cast<const char*>(buf), len);
    g_free(buf);
  }
  return bytes;
}

void Run(benchmark::State& state, const char* suffix, const char* type,
         ThumbnailRequest request) {
  const std::string& image = Source(suffix);
  for (auto _ : state) {
    auto thumb = MakeThumbnail(image, type, request);
    if (!thumb.ok()) {
      state.SkipWithError(std::string(thumb.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(thumb->bytes.data());
  }
  state.counters["thumbs/s"] =
      benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
  state.counters["source_KiB"] = image.size() / 1024.0;
}

void BM_JpegScale320x240(benchmark::State& state) {
  Run(state, ".jpg", "image/jpeg", {320, 240, ThumbnailMethod::kScale});
}
void BM_JpegCrop96x96(benchmark::State& state) {
  Run(state, ".jpg", "image/jpeg", {96, 96, ThumbnailMethod::kCrop});
}
void BM_PngScale320x240(benchmark::State& state) {
  Run(state, ".png", "image/png", {320, 240, ThumbnailMethod::kScale});
}
void BM_PngCrop96x96(benchmark::State& state) {
  Run(state, ".png", "image/png", {96, 96, ThumbnailMethod::kCrop});
}
BENCHMARK(BM_JpegScale320x240)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_JpegCrop96x96)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PngScale320x240)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PngCrop96x96)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace myelin::media
