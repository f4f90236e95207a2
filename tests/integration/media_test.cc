// The media repository over HTTP, real binary: uploads (plain, async,
// over-size, large with flat memory), downloads (authenticated and legacy,
// headers, ranges, freeze), thumbnails of each format, bad input, admin
// quarantine and deletion, restarts.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tests/integration/accounts_fixture.h"
#include "vips/vips.h"

namespace myelin::testing {
namespace {

constexpr char kUpload[] = "/_matrix/media/v3/upload";
constexpr char kAuthed[] = "/_matrix/client/v1/media";
constexpr char kLegacy[] = "/_matrix/media/v3";

// An image of `width` x `height` in `format` ("png", "jpeg", "webp",
// "gif"); `frames` > 1 makes an animated GIF/WebP.
std::string EncodeImage(const std::string& format, int width, int height,
                        int frames = 1) {
  static const bool initialised = VIPS_INIT("media_test") == 0;
  EXPECT_TRUE(initialised);
  VipsImage* image = nullptr;
  EXPECT_EQ(vips_xyz(&image, width, height * frames, nullptr), 0);
  VipsImage* bands = nullptr;
  EXPECT_EQ(vips_bandjoin_const1(image, &bands, 128, nullptr), 0);
  g_object_unref(image);
  VipsImage* pixels = nullptr;
  EXPECT_EQ(vips_cast_uchar(bands, &pixels, nullptr), 0);
  g_object_unref(bands);
  if (frames > 1) vips_image_set_int(pixels, "page-height", height);
  void* buffer = nullptr;
  size_t length = 0;
  int rc = -1;
  if (format == "png") rc = vips_pngsave_buffer(pixels, &buffer, &length, nullptr);
  if (format == "jpeg") rc = vips_jpegsave_buffer(pixels, &buffer, &length, nullptr);
  if (format == "webp") rc = vips_webpsave_buffer(pixels, &buffer, &length, nullptr);
  if (format == "gif") rc = vips_gifsave_buffer(pixels, &buffer, &length, nullptr);
  g_object_unref(pixels);
  EXPECT_EQ(rc, 0) << format << ": " << vips_error_buffer();
  std::string bytes(static_cast<const char*>(buffer), length);
  g_free(buffer);
  return bytes;
}

// The server's peak resident memory, from /proc.
uint64_t PeakRssBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

// Connects to 127.0.0.1:`port`, sends `bytes` and closes at once.
bool SendAndHangUp(uint16_t port, const std::string& bytes) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool sent = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
              send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                  static_cast<ssize_t>(bytes.size());
  close(fd);
  return sent;
}

class MediaTest : public AccountsTest {
 protected:
  void SetUp() override { StartWith(""); }

  void StartWith(const std::string& extra) {
    Start(absl::StrCat("enable_registration: true\n",
                       "rate_limiting: {enabled: false}\n", extra));
    alice_ = Register("alice", "pw").Str("access_token");
    bob_ = Register("bob", "pw").Str("access_token");
  }

  // The same data directory under another config; logs the users in again.
  void RestartWith(const std::string& extra, int client_timeout_seconds = 10) {
    client_.reset();
    ASSERT_TRUE(server_->Stop(SIGTERM).ok());
    server_.reset();
    Start(absl::StrCat("enable_registration: true\n",
                       "rate_limiting: {enabled: false}\n", extra));
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port(), false,
                                           client_timeout_seconds);
    alice_ = Login("alice", "pw").Str("access_token");
    bob_ = Login("bob", "pw").Str("access_token");
  }

  HttpResult Raw(const std::string& method, const std::string& target,
                 const std::string& body, const std::string& token,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    auto result = client_->Send(method, target, body, headers);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? *result : HttpResult{};
  }

  // Uploads; returns "server/id" of the mxc URI ("" on failure).
  std::string Upload(const std::string& body, const std::string& type,
                     const std::string& filename = "") {
    HttpResult r = Raw("POST",
                       absl::StrCat(kUpload, filename.empty() ? "" : "?filename=",
                                    filename),
                       body, alice_, {{"Content-Type", type}});
    EXPECT_EQ(r.status, 200) << r.body;
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object() || !v.as_object().contains("content_uri")) return "";
    std::string uri(v.at("content_uri").as_string());
    EXPECT_EQ(uri.rfind("mxc://test.example/", 0), 0u) << uri;
    return uri.substr(6);
  }

  std::string alice_, bob_;
};

TEST_F(MediaTest, UploadAndDownloadWithTheRightHeaders) {
  std::string media = Upload("hello media", "text/plain", "hello.txt");
  HttpResult authed = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_);
  EXPECT_EQ(authed.status, 200);
  EXPECT_EQ(authed.body, "hello media");
  EXPECT_EQ(authed.Header("content-type"), "text/plain");
  EXPECT_EQ(authed.Header("content-disposition"), "inline; filename=\"hello.txt\"");
  EXPECT_NE(authed.Header("content-security-policy").find("sandbox"), std::string::npos);
  EXPECT_EQ(authed.Header("cross-origin-resource-policy"), "cross-origin");
  // The authenticated endpoint needs a token; the legacy one does not.
  HttpResult anonymous = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", "");
  EXPECT_EQ(anonymous.status, 401);
  HttpResult legacy = Raw("GET", absl::StrCat(kLegacy, "/download/", media), "", "");
  EXPECT_EQ(legacy.status, 200);
  EXPECT_EQ(legacy.body, "hello media");
  // A file name in the path overrides the stored one.
  HttpResult renamed =
      Raw("GET", absl::StrCat(kAuthed, "/download/", media, "/other.txt"), "", bob_);
  EXPECT_EQ(renamed.Header("content-disposition"), "inline; filename=\"other.txt\"");
  // Unsafe types are attachments.
  std::string html = Upload("<script>alert(1)</script>", "text/html", "x.html");
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", html), "", bob_)
                .Header("content-disposition"),
            "attachment; filename=\"x.html\"");
  // Config tells the upload limit.
  Reply config = Call("GET", absl::StrCat(kAuthed, "/config"), "", bob_);
  EXPECT_EQ(config.body["m.upload.size"].as_int64(), 50 << 20);
}

TEST_F(MediaTest, RangeRequests) {
  std::string media = Upload("0123456789", "application/octet-stream");
  HttpResult part = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_,
                        {{"Range", "bytes=2-5"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "2345");
  EXPECT_EQ(part.Header("content-range"), "bytes 2-5/10");
  HttpResult tail = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_,
                        {{"Range", "bytes=-3"}});
  EXPECT_EQ(tail.body, "789");
  HttpResult beyond = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_,
                          {{"Range", "bytes=50-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.Header("content-range"), "bytes */10");
}

TEST_F(MediaTest, AsyncUploadFollowsTheReservationRules) {
  Reply created = Call("POST", "/_matrix/media/v1/create", "", alice_);
  ASSERT_EQ(created.status, 200);
  EXPECT_GT(created.body["unused_expires_at"].as_int64(), 0);
  std::string media = created.Str("content_uri").substr(6);
  HttpResult early = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_);
  EXPECT_EQ(early.status, 504);
  EXPECT_NE(early.body.find("M_NOT_YET_UPLOADED"), std::string::npos);
  std::string put = absl::StrCat(kLegacy, "/upload/", media);
  HttpResult stranger = Raw("PUT", put, "data", bob_, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(stranger.status, 403);
  HttpResult filled = Raw("PUT", put, "data", alice_, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(filled.status, 200) << filled.body;
  HttpResult again = Raw("PUT", put, "more", alice_, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("M_CANNOT_OVERWRITE_MEDIA"), std::string::npos);
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_).body,
            "data");
  HttpResult unknown = Raw("PUT", absl::StrCat(kLegacy, "/upload/test.example/nope"),
                           "x", alice_, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(MediaTest, BadRequestsGetMatrixErrors) {
  for (const std::string& target :
       {absl::StrCat(kAuthed, "/download/test.example/unknownid"),
        absl::StrCat(kAuthed, "/download/test.example/bad.id"),
        absl::StrCat(kAuthed, "/download/elsewhere.example/abc")}) {
    HttpResult r = Raw("GET", target, "", bob_);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_NE(r.body.find("M_NOT_FOUND"), std::string::npos) << target;
  }
  std::string media = Upload("not an image", "image/png");
  HttpResult thumb = Raw("GET",
                         absl::StrCat(kAuthed, "/thumbnail/", media, "?width=32&height=32"),
                         "", bob_);
  EXPECT_EQ(thumb.status, 400);
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/thumbnail/", media), "", bob_).status, 400);
  EXPECT_EQ(Call("GET", absl::StrCat(kAuthed, "/preview_url?url=http://x"), "", bob_)
                .status,
            404);
  // The server is fine after all that.
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_).body,
            "not an image");
}

// A client that stops half-way through its body: the upload is dropped and
// the server carries on.
TEST_F(MediaTest, TruncatedUploadsAreDropped) {
  std::string partial = absl::StrCat(
      "POST /_matrix/media/v3/upload HTTP/1.1\r\nHost: localhost\r\n"
      "Authorization: Bearer ", alice_, "\r\nContent-Type: text/plain\r\n"
      "Content-Length: 100000\r\n\r\n", std::string(5000, 'x'));
  ASSERT_TRUE(SendAndHangUp(server_->port(), partial));
  client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  std::string media = Upload("after the truncated one", "text/plain");
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_).body,
            "after the truncated one");
}

TEST_F(MediaTest, OverSizeUploadsAreRefused) {
  RestartWith("max_upload_size_bytes: 100000\n");
  HttpResult big = Raw("POST", kUpload, std::string(200000, 'x'), alice_,
                       {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(big.status, 413);
  EXPECT_NE(big.body.find("M_TOO_LARGE"), std::string::npos);
  // The server answered before reading the body and closed the connection.
  client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  HttpResult small = Raw("POST", kUpload, std::string(1000, 'x'), alice_,
                         {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(small.status, 200);
}

TEST_F(MediaTest, ThumbnailsOfEachFormat) {
  for (const std::string& format : {"png", "jpeg", "webp", "gif"}) {
    SCOPED_TRACE(format);
    std::string media = Upload(EncodeImage(format, 640, 480), "image/" + format);
    HttpResult scaled = Raw(
        "GET", absl::StrCat(kAuthed, "/thumbnail/", media, "?width=300&height=200&method=scale"),
        "", bob_);
    ASSERT_EQ(scaled.status, 200) << scaled.body;
    std::string type = scaled.Header("content-type");
    EXPECT_TRUE(type == "image/png" || type == "image/jpeg") << type;
    EXPECT_EQ(scaled.Header("content-disposition").rfind("inline", 0), 0u);
    HttpResult cropped = Raw(
        "GET", absl::StrCat(kAuthed, "/thumbnail/", media, "?width=90&height=90&method=crop"),
        "", bob_);
    ASSERT_EQ(cropped.status, 200);
    // The same thumbnail twice: served from the cache, identical.
    EXPECT_EQ(Raw("GET",
                  absl::StrCat(kAuthed, "/thumbnail/", media,
                               "?width=90&height=90&method=crop"),
                  "", bob_)
                  .body,
              cropped.body);
  }
  std::string animated = Upload(EncodeImage("gif", 64, 64, 3), "image/gif");
  HttpResult moving = Raw(
      "GET", absl::StrCat(kAuthed, "/thumbnail/", animated,
                          "?width=32&height=32&method=crop&animated=true"),
      "", bob_);
  ASSERT_EQ(moving.status, 200);
  EXPECT_EQ(moving.Header("content-type"), "image/webp");
}

TEST_F(MediaTest, IdenticalContentIsStoredOnceAndDeletionIsPerId) {
  std::string first = Upload("same bytes", "text/plain");
  std::string second = Upload("same bytes", "text/plain");
  EXPECT_NE(first, second);
  std::string admin_token;
  std::ifstream(absl::StrCat(dir_, "/data/admin.token")) >> admin_token;
  ASSERT_FALSE(admin_token.empty());
  Reply quarantined =
      Call("POST", absl::StrCat("/_myelin/admin/v1/media/", first, "/quarantine"),
           "{}", admin_token);
  EXPECT_EQ(quarantined.status, 200);
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", first), "", bob_).status, 404);
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", second), "", bob_).body,
            "same bytes");
  Reply deleted =
      Call("DELETE", absl::StrCat("/_myelin/admin/v1/media/", second), "", admin_token);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", second), "", bob_).status, 404);
  // Only an admin may do that.
  EXPECT_EQ(Call("DELETE", absl::StrCat("/_myelin/admin/v1/media/", first), "", bob_).status,
            403);
}

TEST_F(MediaTest, MediaSurvivesARestartAndTheFreezeAppliesToLegacyOnly) {
  std::string media = Upload("kept", "text/plain");
  // Everything uploaded from 1 ms after the epoch on is frozen.
  RestartWith("unauthenticated_media_freeze_ms: 1\n");
  EXPECT_EQ(Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_).body, "kept");
  EXPECT_EQ(Raw("GET", absl::StrCat(kLegacy, "/download/", media), "", "").status, 404);
}

// 200 MiB up and down: the server streams both ways, so its peak memory
// does not grow by anything like the file's size.
TEST_F(MediaTest, LargeFilesStreamWithFlatMemory) {
  constexpr size_t kSize = 200u << 20;
  RestartWith("max_upload_size_bytes: 268435456\n", /*client_timeout_seconds=*/120);
  std::string content(kSize, '\0');
  for (size_t i = 0; i < kSize; ++i) content[i] = static_cast<char>((i * 131) >> 7);
  uint64_t before = PeakRssBytes(server_->pid());
  std::string media = Upload(content, "application/octet-stream", "big.bin");
  ASSERT_FALSE(media.empty());
  HttpResult down = Raw("GET", absl::StrCat(kAuthed, "/download/", media), "", bob_);
  ASSERT_EQ(down.status, 200);
  EXPECT_EQ(down.body.size(), kSize);
  EXPECT_TRUE(down.body == content);
  uint64_t after = PeakRssBytes(server_->pid());
  EXPECT_LT(after - before, 64ull << 20)
      << "peak RSS grew from " << before << " to " << after;
}

}  // namespace
}  // namespace myelin::testing
