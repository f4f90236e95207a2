// libFuzzer: arbitrary bytes as an uploaded image never crash the
// thumbnailer; they give a thumbnail within the requested box or an error.
// The first three bytes choose the request; the rest is the image.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/media/thumbnailer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  static constexpr std::string_view kTypes[] = {"image/jpeg", "image/png",
                                                "image/webp", "image/gif"};
  myelin::media::ThumbnailRequest request;
  request.method = (data[0] & 1) ? myelin::media::ThumbnailMethod::kCrop
                                 : myelin::media::ThumbnailMethod::kScale;
  request.animated = (data[0] & 2) != 0;
  request.width = data[1] + 1;
  request.height = data[2] + 1;
  std::string_view type = kTypes[(data[0] >> 2) & 3];
  std::string_view image(reinterpret_cast<const char*>(data) + 3, size - 3);

  auto size_or = myelin::media::ImageSize(image);
  auto thumb = myelin::media::MakeThumbnail(image, type, request);
  if (thumb.ok()) {
    if (!size_or.ok()) __builtin_trap();
    if (thumb->width == 0 || thumb->height == 0 ||
        thumb->width > request.width || thumb->height > request.height ||
        thumb->bytes.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
