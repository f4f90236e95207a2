// Uploads (Spec: content-repo.yaml — POST /upload, POST /create, PUT
// /upload/{serverName}/{mediaId}): the body streams into a MediaStore
// writer, so no upload sits in memory; the store keeps identical content
// once.
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

namespace myelin::media {
namespace {

using http::Request;
using http::Response;

std::string MxcUri(const storage::MediaId& id) {
  return absl::StrCat("mxc://", id.server_name, "/", id.media_id);
}

class UploadSink final : public http::BodySink {
 public:
  UploadSink(storage::MediaId id, storage::MediaInfo info,
             std::unique_ptr<storage::MediaStore::Writer> writer,
             bool reply_with_uri)
      : id_(std::move(id)),
        info_(std::move(info)),
        writer_(std::move(writer)),
        reply_with_uri_(reply_with_uri) {}

  absl::Status Write(std::string_view piece) override {
    return writer_->Write(piece);
  }

  absl::StatusOr<Response> Finish() override {
    absl::StatusOr<storage::MediaInfo> committed = writer_->Commit(id_, info_);
    if (absl::IsAlreadyExists(committed.status())) {
      return MatrixError(409, errcode::kCannotOverwriteMedia,
                         "This media already has content");
    }
    RETURN_IF_ERROR(committed.status());
    if (!reply_with_uri_) return Response::Json("{}");
    boost::json::object body{{"content_uri", MxcUri(id_)}};
    return Response::Json(boost::json::serialize(body));
  }

  void Abort(const absl::Status&) override { writer_->Abort(); }

 private:
  const storage::MediaId id_;
  const storage::MediaInfo info_;
  std::unique_ptr<storage::MediaStore::Writer> writer_;
  const bool reply_with_uri_;
};

// What every upload checks before reading the body: a declared length
// within the limit (the limit is enforced again while the body streams).
absl::Status CheckDeclaredLength(const MediaContext& context,
                                 const Request& request) {
  std::string_view length = request.Header("Content-Length");
  uint64_t declared = 0;
  if (!length.empty() && absl::SimpleAtoi(AV(length), &declared) &&
      declared > context.max_upload_bytes) {
    return TooLarge(absl::StrCat("Uploads are limited to ",
                                 context.max_upload_bytes, " bytes"));
  }
  return absl::OkStatus();
}

storage::MediaInfo InfoOf(const MediaContext& context, const Request& request) {
  storage::MediaInfo info;
  info.content_type = std::string(request.Header("Content-Type"));
  if (info.content_type.empty()) info.content_type = "application/octet-stream";
  info.filename = std::string(request.Query("filename"));
  info.uploader = request.principal.user_id;
  info.created_ms = context.clock->NowMillis();
  return info;
}

absl::StatusOr<std::unique_ptr<http::BodySink>> SinkFor(
    const MediaContext& context, const Request& request, storage::MediaId id,
    bool reply_with_uri) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::MediaStore::Writer> writer,
                   context.store->NewWriter());
  return std::make_unique<UploadSink>(std::move(id), InfoOf(context, request),
                                      std::move(writer), reply_with_uri);
}

// POST /upload: a new mxc URI for the body.
absl::StatusOr<std::unique_ptr<http::BodySink>> StartUpload(
    const MediaContext* context, const Request& request) {
  RETURN_IF_ERROR(CheckDeclaredLength(*context, request));
  return SinkFor(*context, request, {context->server_name, NewMediaId()},
                 /*reply_with_uri=*/true);
}

// PUT /upload/{serverName}/{mediaId}: the content of a reservation, only by
// the user who made it, only once, only before it expires.
absl::StatusOr<std::unique_ptr<http::BodySink>> StartReservedUpload(
    const MediaContext* context, const Request& request) {
  RETURN_IF_ERROR(CheckDeclaredLength(*context, request));
  storage::MediaId id{std::string(request.Param("serverName")),
                      std::string(request.Param("mediaId"))};
  absl::Status unknown = NotFound("Unknown media id");
  if (id.server_name != context->server_name || !IsValidMediaId(id.media_id)) {
    return unknown;
  }
  ASSIGN_OR_RETURN(std::optional<storage::MediaStore::Pending> pending,
                   context->store->GetPending(id));
  if (!pending.has_value()) {
    ASSIGN_OR_RETURN(std::optional<storage::MediaInfo> existing,
                     context->store->Get(id));
    if (existing.has_value()) {
      return MatrixError(409, errcode::kCannotOverwriteMedia,
                         "This media already has content");
    }
    return unknown;
  }
  if (pending->uploader != request.principal.user_id) {
    return Forbidden("This media id was reserved by another user");
  }
  if (pending->expires_ms < context->clock->NowMillis()) return unknown;
  return SinkFor(*context, request, std::move(id), /*reply_with_uri=*/false);
}

// POST /create: an mxc URI whose content comes later.
absl::StatusOr<Response> CreateReservation(const MediaContext* context,
                                           const Request& request) {
  storage::MediaId id{context->server_name, NewMediaId()};
  int64_t expires = context->clock->NowMillis() + kUnusedReservationMillis;
  RETURN_IF_ERROR(
      context->store->Reserve(id, request.principal.user_id, expires));
  boost::json::object body{{"content_uri", MxcUri(id)},
                           {"unused_expires_at", expires}};
  return Response::Json(boost::json::serialize(body));
}

}  // namespace

absl::Status AddUploadRoutes(http::RouteTable* table,
                             const MediaContext* context) {
  const std::vector<std::string> media = {"/_matrix/media/v3",
                                          "/_matrix/media/r0"};
  auto stream_route = [&](http::Method method, std::string pattern,
                          http::StreamHandler handler) {
    http::Route route;
    route.method = method;
    route.pattern = std::move(pattern);
    route.auth = http::Auth::kUser;
    route.rate_limit = context->upload_limit;
    route.max_body_bytes = context->max_upload_bytes;
    route.stream_handler = std::move(handler);
    return table->AddUnder(media, std::move(route));
  };
  RETURN_IF_ERROR(stream_route(http::Method::kPost, "/upload",
                               [context](const Request& r) {
                                 return StartUpload(context, r);
                               }));
  RETURN_IF_ERROR(stream_route(http::Method::kPut,
                               "/upload/{serverName}/{mediaId}",
                               [context](const Request& r) {
                                 return StartReservedUpload(context, r);
                               }));

  http::Route create;
  create.method = http::Method::kPost;
  create.pattern = "/_matrix/media/v1/create";
  create.auth = http::Auth::kUser;
  create.rate_limit = context->upload_limit;
  create.handler = [context](const Request& r) {
    return CreateReservation(context, r);
  };
  return table->Add(std::move(create));
}

}  // namespace myelin::media
