// The media repository's store (Spec: client-server-api, "Content
// repository"; storage/FORMAT.md, "Media"). Content is addressed by its
// SHA-256 and stored once, however many media ids refer to it, as 1 MiB
// chunks in the `media_blob` family, whose values live in RocksDB blob
// files: a backup of the database is a backup of the media.
//
//   ASSIGN_OR_RETURN(auto writer, store->NewWriter());
//   while (...) RETURN_IF_ERROR(writer->Write(piece));   // streamed
//   ASSIGN_OR_RETURN(MediaInfo info, writer->Commit(id, {"image/png", ...}));
//   ASSIGN_OR_RETURN(auto reader, store->Read(id, offset, length));
//   for (;;) { ASSIGN_OR_RETURN(std::string piece, reader->Next());
//              if (piece.empty()) break; ... }
//
// Chunks are written as they fill, so an upload holds at most one chunk in
// memory; they stay invisible until Commit() records the id in one batch.
// A crash before that leaves chunks of a blob id that is still listed in
// `mediablob_writing`; the next Open() deletes them.
//
// Thread safety: every method may be called from any thread. Changes that
// read then write (commit, delete, reservations, thumbnails, quarantine)
// are serialised by one mutex; chunk writes and reads are not.
// Ownership: the Engine must outlive the store; Writers must be destroyed
// before the store, Readers (which hold a RocksDB snapshot) before the
// Engine. Use one MediaStore per Engine: Open() deletes the chunks of
// every upload in progress.
#ifndef MYELIN_STORAGE_MEDIA_MEDIA_STORE_H_
#define MYELIN_STORAGE_MEDIA_MEDIA_STORE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/engine.h"

namespace myelin::storage {

// A media id: mxc://<server_name>/<media_id>. Remote media (other servers)
// uses the same store.
struct MediaId {
  std::string server_name;
  std::string media_id;
};

struct MediaInfo {
  std::string content_type;  // as uploaded ("" if none)
  std::string filename;      // as uploaded ("" if none)
  uint64_t size = 0;
  std::string sha256;        // lowercase hex of the content
  int64_t created_ms = 0;
  std::string uploader;      // user id ("" for remote media)
  bool quarantined = false;
};

class MediaStore {
 public:
  // Content is cut into chunks of this size (the last one shorter). Reaches
  // disk: do not change (the chunk index of an offset depends on it).
  static constexpr uint64_t kChunkBytes = uint64_t{1} << 20;

  // Deletes the chunks of uploads a crash interrupted, then opens the store.
  static absl::StatusOr<std::unique_ptr<MediaStore>> Open(Engine* engine);

  MediaStore(const MediaStore&) = delete;
  MediaStore& operator=(const MediaStore&) = delete;
  ~MediaStore();

  // Async upload (POST /_matrix/media/v1/create): the id exists, without
  // content, until `expires_ms` (the caller compares with its clock).
  // AlreadyExists if the id has content or a reservation.
  absl::Status Reserve(const MediaId& id, std::string_view uploader,
                       int64_t expires_ms);
  struct Pending {
    std::string uploader;
    int64_t expires_ms = 0;
  };
  // The reservation, expired or not; nullopt if none.
  absl::StatusOr<std::optional<Pending>> GetPending(const MediaId& id) const;
  // Drops reservations that expired at or before `now_ms`; how many.
  absl::StatusOr<size_t> DropExpiredReservations(int64_t now_ms);

  // Writes content piece by piece under a fresh blob id: each full chunk
  // goes to `media_blob` at once, so at most one chunk is held in memory.
  // Not thread-safe itself (one upload, one thread at a time).
  class Writer {
   public:
    virtual ~Writer() = default;
    // FailedPrecondition after Commit or Abort. After an error writing a
    // chunk, every Write and Commit returns that error: Abort.
    virtual absl::Status Write(std::string_view piece) = 0;
    virtual uint64_t written() const = 0;
    // Writes the last chunk and computes the SHA-256. If that content is
    // already stored, keeps the stored copy (one more reference) and drops
    // this one. Records `id` -> info (size and sha256 filled in; the rest
    // as given) and clears a reservation of `id`, in one WriteBatch after
    // the chunks. Errors: AlreadyExists if `id` already has content (the
    // writer stays usable: Abort it, or Commit to another id),
    // FailedPrecondition after Commit or Abort.
    virtual absl::StatusOr<MediaInfo> Commit(const MediaId& id,
                                             MediaInfo info) = 0;
    // Drops what was written (also done by the destructor if neither
    // Commit nor Abort ran). If that fails, the next Open() does it.
    virtual void Abort() = 0;
  };
  absl::StatusOr<std::unique_ptr<Writer>> NewWriter();

  // The id's record; nullopt if it has no content (a reservation included).
  absl::StatusOr<std::optional<MediaInfo>> Get(const MediaId& id) const;

  // Reads content in pieces, each at most one chunk, from a snapshot: a
  // Delete() meanwhile does not cut the read short.
  class Reader {
   public:
    virtual ~Reader() = default;
    virtual uint64_t size() const = 0;  // bytes this reader will produce
    // The next piece; "" at the end. DataLoss if a chunk is missing.
    virtual absl::StatusOr<std::string> Next() = 0;
  };
  // At most `length` bytes from `offset` (HTTP ranges; length is clamped to
  // the content). NotFound if the id has no content; OutOfRange if
  // `offset` > size. Quarantined content is read like any other: the
  // caller decides what to serve.
  absl::StatusOr<std::unique_ptr<Reader>> Read(
      const MediaId& id, uint64_t offset = 0,
      uint64_t length = UINT64_MAX) const;

  // Thumbnails, cached per (id, width, height, method, animated).
  struct ThumbnailKey {
    uint32_t width = 0, height = 0;
    std::string method;  // "crop" or "scale"
    bool animated = false;
  };
  // Stores (or replaces) a thumbnail. NotFound if the id has no content.
  absl::Status PutThumbnail(const MediaId& id, const ThumbnailKey& key,
                            std::string_view content_type,
                            std::string_view bytes);
  // (content type, bytes), or nullopt.
  absl::StatusOr<std::optional<std::pair<std::string, std::string>>>
  GetThumbnail(const MediaId& id, const ThumbnailKey& key) const;

  // Sets the id's quarantine flag. NotFound if the id has no content.
  absl::Status Quarantine(const MediaId& id, bool quarantined);

  // Deletes the id (content record or reservation), its thumbnails, and the
  // content when no other id refers to it (a DeleteRange of its chunks:
  // the space comes back after compaction and blob GC). NotFound if the id
  // has neither content nor a reservation.
  absl::Status Delete(const MediaId& id);

  // Every media id with content uploaded by `user_id`, ordered by
  // (server, media id). For the admin CLI.
  absl::StatusOr<std::vector<MediaId>> MediaOfUser(
      std::string_view user_id) const;

 private:
  class WriterImpl;
  class ReaderImpl;
  struct Record;  // A decoded `mediaid_info` row.

  MediaStore(Engine* engine, uint64_t last_blob_id)
      : engine_(engine), last_blob_id_(last_blob_id) {}

  static absl::Status DropUnfinishedBlobs(Engine* engine);
  absl::StatusOr<std::optional<Record>> ReadRecord(
      const MediaId& id, const rocksdb::ReadOptions& options = {}) const;
  absl::StatusOr<uint64_t> AllocateBlobId();
  absl::StatusOr<MediaInfo> CommitBlob(uint64_t blob_id, const MediaId& id,
                                       MediaInfo info);

  Engine* engine_;
  std::mutex blob_id_mu_;
  uint64_t last_blob_id_ ABSL_GUARDED_BY(blob_id_mu_);
  // Serialises read-then-write changes (refcounts, "has content" checks).
  mutable std::mutex mu_;
};

}  // namespace myelin::storage

#endif  // MYELIN_STORAGE_MEDIA_MEDIA_STORE_H_
