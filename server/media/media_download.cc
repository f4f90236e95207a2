// Downloads, thumbnails and config (Spec: authed_content_repo.yaml — the
// /_matrix/client/v1/media endpoints — and the deprecated unauthenticated
// /_matrix/media ones of content-repo.yaml). Content streams out of the
// store; "Content repository": Content-Security-Policy,
// Cross-Origin-Resource-Policy, and Content-Disposition inline only for
// the safe types.
#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/json/serialize.hpp"
#include "dag/base/matrix_error.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "server/media/media_http.h"
#include "server/media/media_routes.h"
#include "server/media/thumbnailer.h"

namespace myelin::media {
namespace {

using http::Request;
using http::Response;

constexpr std::string_view kContentSecurityPolicy =
    "sandbox; default-src 'none'; script-src 'none'; plugin-types "
    "application/pdf; style-src 'unsafe-inline'; object-src 'self';";

// Streams a MediaStore reader as a response body.
class ReaderSource final : public http::BodySource {
 public:
  explicit ReaderSource(std::unique_ptr<storage::MediaStore::Reader> reader)
      : reader_(std::move(reader)) {}
  uint64_t size() const override { return reader_->size(); }
  absl::StatusOr<std::string> Next() override { return reader_->Next(); }

 private:
  std::unique_ptr<storage::MediaStore::Reader> reader_;
};

void AddServingHeaders(Response& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                std::string(kContentSecurityPolicy));
  response.headers.emplace_back("Cross-Origin-Resource-Policy", "cross-origin");
}

// The stored media a request names, if this server may serve it to this
// request: local, known, uploaded, not quarantined, and — on the
// unauthenticated endpoints — older than the freeze.
absl::StatusOr<std::pair<storage::MediaId, storage::MediaInfo>> ServableMedia(
    const MediaContext& context, const Request& request, bool authenticated) {
  storage::MediaId id{std::string(request.Param("serverName")),
                      std::string(request.Param("mediaId"))};
  absl::Status unknown = NotFound("Media not found");
  if (!IsValidMediaId(id.media_id)) return unknown;
  // Remote media comes with federation.
  if (id.server_name != context.server_name) return unknown;
  ASSIGN_OR_RETURN(std::optional<storage::MediaInfo> info,
                   context.store->Get(id));
  if (!info.has_value()) {
    ASSIGN_OR_RETURN(auto pending, context.store->GetPending(id));
    if (pending.has_value() &&
        pending->expires_ms >= context.clock->NowMillis()) {
      // Spec: "The content repository MAY respond before the timeout".
      return MatrixError(504, errcode::kNotYetUploaded,
                         "The media has not been uploaded yet");
    }
    return unknown;
  }
  if (info->quarantined) return unknown;
  if (!authenticated && context.unauthenticated_freeze_ms != 0 &&
      static_cast<uint64_t>(info->created_ms) >=
          context.unauthenticated_freeze_ms) {
    return unknown;
  }
  return std::make_pair(std::move(id), *std::move(info));
}

absl::StatusOr<Response> Download(const MediaContext* context,
                                  const Request& request, bool authenticated) {
  ASSIGN_OR_RETURN(auto media, ServableMedia(*context, request, authenticated));
  auto& [id, info] = media;
  absl::StatusOr<std::optional<ByteRange>> range =
      ParseRange(request.Header("Range"), info.size);
  if (absl::IsOutOfRange(range.status())) {
    Response refused = Response::Json(
        R"({"errcode":"M_UNKNOWN","error":"Range not satisfiable"})", 416);
    refused.headers.emplace_back("Content-Range",
                                 absl::StrCat("bytes */", info.size));
    return refused;
  }
  RETURN_IF_ERROR(range.status());
  uint64_t offset = range->has_value() ? (*range)->offset : 0;
  uint64_t length = range->has_value() ? (*range)->length : info.size;
  ASSIGN_OR_RETURN(std::unique_ptr<storage::MediaStore::Reader> reader,
                   context->store->Read(id, offset, length));
  Response response;
  response.status = range->has_value() ? 206 : 200;
  response.content_type = info.content_type.empty() ? "application/octet-stream"
                                                    : info.content_type;
  std::string_view filename = request.Param("fileName");
  response.headers.emplace_back(
      "Content-Disposition",
      ContentDisposition(response.content_type,
                         filename.empty() ? info.filename : filename));
  response.headers.emplace_back("Accept-Ranges", "bytes");
  if (range->has_value()) {
    response.headers.emplace_back(
        "Content-Range", absl::StrCat("bytes ", offset, "-", offset + length - 1,
                                      "/", info.size));
  }
  AddServingHeaders(response);
  response.stream = std::make_shared<ReaderSource>(std::move(reader));
  return response;
}

absl::StatusOr<uint32_t> Dimension(const Request& request, std::string_view name) {
  if (!request.HasQuery(name)) {
    return MissingParam(absl::StrCat(AV(name), " is required"));
  }
  uint32_t value = 0;
  if (!absl::SimpleAtoi(AV(request.Query(name)), &value) || value == 0 ||
      value > 10'000) {
    return InvalidParam(absl::StrCat(AV(name), " must be between 1 and 10000"));
  }
  return value;
}

absl::StatusOr<std::string> ReadAll(const MediaContext& context,
                                    const storage::MediaId& id) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::MediaStore::Reader> reader,
                   context.store->Read(id));
  std::string content;
  content.reserve(reader->size());
  while (true) {
    ASSIGN_OR_RETURN(std::string piece, reader->Next());
    if (piece.empty()) return content;
    content += piece;
  }
}

absl::StatusOr<Response> Thumbnail(const MediaContext* context,
                                   const Request& request, bool authenticated) {
  ASSIGN_OR_RETURN(uint32_t width, Dimension(request, "width"));
  ASSIGN_OR_RETURN(uint32_t height, Dimension(request, "height"));
  std::string_view method = request.Query("method");
  if (method.empty()) method = "scale";
  if (method != "scale" && method != "crop") {
    return InvalidParam("method must be crop or scale");
  }
  std::string_view animated_text = request.Query("animated");
  if (!animated_text.empty() && animated_text != "true" &&
      animated_text != "false") {
    return InvalidParam("animated must be true or false");
  }
  bool animated = animated_text == "true";
  ASSIGN_OR_RETURN(auto media, ServableMedia(*context, request, authenticated));
  auto& [id, info] = media;
  absl::Status cannot = MatrixError(
      400, errcode::kUnknown, "Cannot generate thumbnails for the requested content");
  if (!CanThumbnail(info.content_type) || info.size > kMaxThumbnailSourceBytes) {
    return cannot;
  }
  ThumbnailSize size = ChooseThumbnailSize(width, height, method == "crop");
  storage::MediaStore::ThumbnailKey key{size.width, size.height,
                                        std::string(method), animated};
  ASSIGN_OR_RETURN(auto cached, context->store->GetThumbnail(id, key));
  Response response;
  if (cached.has_value()) {
    response.content_type = std::move(cached->first);
    response.body = std::move(cached->second);
  } else {
    ASSIGN_OR_RETURN(std::string image, ReadAll(*context, id));
    ThumbnailRequest wanted{size.width, size.height,
                            size.crop ? ThumbnailMethod::kCrop
                                      : ThumbnailMethod::kScale,
                            animated};
    absl::StatusOr<media::Thumbnail> made =
        MakeThumbnail(image, info.content_type, wanted);
    if (!made.ok()) return cannot;  // Malformed or over the limits.
    RETURN_IF_ERROR(context->store->PutThumbnail(id, key, made->content_type,
                                                 made->bytes));
    response.content_type = std::move(made->content_type);
    response.body = std::move(made->bytes);
  }
  std::string_view extension = response.content_type.substr(
      response.content_type.find('/') + 1);
  response.headers.emplace_back(
      "Content-Disposition",
      absl::StrCat("inline; filename=\"thumbnail.", AV(extension), "\""));
  AddServingHeaders(response);
  return response;
}

absl::StatusOr<Response> Config(const MediaContext* context, const Request&) {
  boost::json::object body{{"m.upload.size", context->max_upload_bytes}};
  return Response::Json(boost::json::serialize(body));
}

absl::StatusOr<Response> PreviewUrl(const Request&) {
  // Previews fetch other sites: they come with outbound HTTP (federation).
  return MatrixError(404, errcode::kUnknown,
                     "URL previews are not available on this server");
}

// Registers the read routes under `prefixes`; `authenticated` says whether
// downloads and thumbnails need an access token (config and previews
// always do).
absl::Status AddReadRoutes(http::RouteTable* table, const MediaContext* context,
                           const std::vector<std::string>& prefixes,
                           bool authenticated) {
  auto add = [&](std::string pattern, http::Auth auth,
                 http::Handler handler) -> absl::Status {
    http::Route route;
    route.method = http::Method::kGet;
    route.pattern = std::move(pattern);
    route.auth = auth;
    route.handler = std::move(handler);
    return table->AddUnder(prefixes, std::move(route));
  };
  http::Auth reading = authenticated ? http::Auth::kUser : http::Auth::kNone;
  auto download = [context, authenticated](const Request& r) {
    return Download(context, r, authenticated);
  };
  RETURN_IF_ERROR(add("/download/{serverName}/{mediaId}", reading, download));
  RETURN_IF_ERROR(
      add("/download/{serverName}/{mediaId}/{fileName}", reading, download));
  RETURN_IF_ERROR(add("/thumbnail/{serverName}/{mediaId}", reading,
                      [context, authenticated](const Request& r) {
                        return Thumbnail(context, r, authenticated);
                      }));
  RETURN_IF_ERROR(add("/config", http::Auth::kUser,
                      [context](const Request& r) { return Config(context, r); }));
  return add("/preview_url", http::Auth::kUser, PreviewUrl);
}

}  // namespace

absl::Status AddUploadRoutes(http::RouteTable* table, const MediaContext* context);

absl::Status AddMediaRoutes(http::RouteTable* table, const MediaContext* context) {
  RETURN_IF_ERROR(AddUploadRoutes(table, context));
  RETURN_IF_ERROR(AddReadRoutes(table, context, {"/_matrix/client/v1/media"},
                                /*authenticated=*/true));
  return AddReadRoutes(table, context, {"/_matrix/media/v3", "/_matrix/media/r0"},
                       /*authenticated=*/false);
}

}  // namespace myelin::media
