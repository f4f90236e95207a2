#include "server/media/media_http.h"

#include <set>

#include "gtest/gtest.h"

namespace myelin::media {
namespace {

TEST(MediaHttpTest, MediaIdsAreFreshAndValid) {
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    std::string id = NewMediaId();
    EXPECT_EQ(id.size(), 24u);
    EXPECT_TRUE(IsValidMediaId(id)) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_TRUE(IsValidMediaId("abc_DEF-123"));
  for (const char* bad : {"", "a/b", "a.b", "..", "a b", "%2e"}) {
    EXPECT_FALSE(IsValidMediaId(bad)) << bad;
  }
  EXPECT_FALSE(IsValidMediaId(std::string(300, 'a')));
}

TEST(MediaHttpTest, OnlySafeTypesAreInline) {
  EXPECT_EQ(ContentDisposition("image/png", ""), "inline");
  EXPECT_EQ(ContentDisposition("Text/Plain; charset=utf-8", "a.txt"),
            "inline; filename=\"a.txt\"");
  EXPECT_EQ(ContentDisposition("text/html", "x.html"),
            "attachment; filename=\"x.html\"");
  EXPECT_EQ(ContentDisposition("image/svg+xml", ""), "attachment");
  EXPECT_EQ(ContentDisposition("", ""), "attachment");
  // Non-ASCII and quotes go in the RFC 5987 form.
  EXPECT_EQ(ContentDisposition("application/pdf", "r\xC3\xA9sum\xC3\xA9.pdf"),
            "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf");
  EXPECT_EQ(ContentDisposition("text/plain", "a\"b"),
            "inline; filename*=utf-8''a%22b");
}

TEST(MediaHttpTest, SingleByteRanges) {
  auto range = [](std::string_view header, uint64_t size) {
    auto parsed = ParseRange(header, size);
    if (!parsed.ok()) return std::string("416");
    if (!parsed->has_value()) return std::string("whole");
    return std::to_string((*parsed)->offset) + "+" +
           std::to_string((*parsed)->length);
  };
  EXPECT_EQ(range("bytes=0-99", 1000), "0+100");
  EXPECT_EQ(range("bytes=900-", 1000), "900+100");
  EXPECT_EQ(range("bytes=-10", 1000), "990+10");
  EXPECT_EQ(range("bytes=-5000", 1000), "0+1000");
  EXPECT_EQ(range("bytes=990-5000", 1000), "990+10");
  EXPECT_EQ(range("bytes=1000-", 1000), "416");
  EXPECT_EQ(range("bytes=-0", 1000), "416");
  EXPECT_EQ(range("", 1000), "whole");
  EXPECT_EQ(range("bytes=0-1,5-6", 1000), "whole");
  EXPECT_EQ(range("items=0-1", 1000), "whole");
  EXPECT_EQ(range("bytes=5-2", 1000), "whole");
  EXPECT_EQ(range("bytes=x-", 1000), "whole");
}

TEST(MediaHttpTest, ThumbnailSizesRoundUpWithinTheMethod) {
  auto size = [](uint32_t w, uint32_t h, bool crop) {
    ThumbnailSize s = ChooseThumbnailSize(w, h, crop);
    return std::to_string(s.width) + "x" + std::to_string(s.height) +
           (s.crop ? "c" : "s");
  };
  EXPECT_EQ(size(20, 20, true), "32x32c");
  EXPECT_EQ(size(64, 64, true), "96x96c");
  EXPECT_EQ(size(500, 500, true), "96x96c");  // The largest crop.
  EXPECT_EQ(size(100, 100, false), "320x240s");
  EXPECT_EQ(size(600, 400, false), "640x480s");
  EXPECT_EQ(size(4000, 3000, false), "800x600s");
}

}  // namespace
}  // namespace myelin::media
