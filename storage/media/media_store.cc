#include "storage/media/media_store.h"

#include <capnp/message.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dag/base/log.h"
#include "dag/base/status_macros.h"
#include "dag/base/strings.h"
#include "dag/crypto/hash.h"
#include "storage/keys/media_keys.h"
#include "storage/keys/meta_keys.h"
#include "storage/media/media.capnp.h"
#include "storage/rocks_status.h"
#include "storage/state/capnp_bytes.h"

namespace myelin::storage {

namespace {

std::string_view ToView(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

std::string IdKey(const MediaId& id) {
  return keys::MediaIdKey::Encode(id.server_name, id.media_id);
}

std::string ThumbKey(const MediaId& id, const MediaStore::ThumbnailKey& key) {
  return keys::ThumbnailKey::Encode(id.server_name, id.media_id, key.width,
                                    key.height, key.method,
                                    key.animated ? 1 : 0);
}

// Stages the deletion of every chunk of `blob_id` (they are contiguous).
absl::Status StageDropChunks(Engine* engine, rocksdb::WriteBatch& batch,
                             uint64_t blob_id) {
  return FromRocks(batch.DeleteRange(engine->cf(Cf::kMediaBlob),
                                     keys::MediaChunkKey::Encode(blob_id, 0),
                                     keys::MediaChunkKey::Encode(blob_id + 1, 0)),
                   "media chunks");
}

// A prefix scan of `cf`; calls `fn(key, value)` for each row.
template <typename Fn>
absl::Status ScanPrefix(const Engine* engine, Cf cf, const std::string& prefix,
                        Fn fn) {
  std::optional<std::string> upper = keys::PrefixUpperBound(prefix);
  rocksdb::Slice lower_slice(prefix), upper_slice;
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  if (upper.has_value()) {
    upper_slice = rocksdb::Slice(*upper);
    options.iterate_upper_bound = &upper_slice;
  }
  std::unique_ptr<rocksdb::Iterator> it = engine->NewIterator(cf, options);
  for (it->Seek(lower_slice); it->Valid(); it->Next()) {
    RETURN_IF_ERROR(fn(ToView(it->key()), ToView(it->value())));
  }
  return FromRocks(it->status(), SpecOf(cf).name);
}

}  // namespace

struct MediaStore::Record {
  MediaInfo info;
  uint64_t blob_id = 0;

  std::string Encode() const {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<schema::MediaRecord>();
    root.setContentType(info.content_type);
    root.setFilename(info.filename);
    root.setSize(info.size);
    root.setSha256(info.sha256);
    root.setCreatedMs(info.created_ms);
    root.setUploader(info.uploader);
    root.setQuarantined(info.quarantined);
    root.setBlobId(blob_id);
    return CapnpToBytes(message);
  }

  static absl::StatusOr<Record> Decode(std::string_view bytes) {
    return ReadCapnp<schema::MediaRecord>(
        bytes, "mediaid_info", [](schema::MediaRecord::Reader root) {
          Record record;
          record.info.content_type = root.getContentType().cStr();
          record.info.filename = root.getFilename().cStr();
          record.info.size = root.getSize();
          record.info.sha256 = root.getSha256().cStr();
          record.info.created_ms = root.getCreatedMs();
          record.info.uploader = root.getUploader().cStr();
          record.info.quarantined = root.getQuarantined();
          record.blob_id = root.getBlobId();
          return record;
        });
  }
};

// ---------------------------------------------------------------- Writer

class MediaStore::WriterImpl : public MediaStore::Writer {
 public:
  WriterImpl(MediaStore* store, uint64_t blob_id)
      : store_(store), blob_id_(blob_id) {
    buffer_.reserve(kChunkBytes);
  }
  ~WriterImpl() override { Abort(); }

  absl::Status Write(std::string_view piece) override {
    if (done_) return absl::FailedPreconditionError("media writer finished");
    RETURN_IF_ERROR(broken_);
    hasher_.Update(piece);
    written_ += piece.size();
    while (!piece.empty()) {
      size_t take = std::min<size_t>(piece.size(), kChunkBytes - buffer_.size());
      buffer_.append(piece.data(), take);
      piece.remove_prefix(take);
      if (buffer_.size() == kChunkBytes) {
        // Part of the piece is hashed but not stored: no way to go on.
        broken_ = FlushChunk();
        RETURN_IF_ERROR(broken_);
      }
    }
    return absl::OkStatus();
  }

  uint64_t written() const override { return written_; }

  absl::StatusOr<MediaInfo> Commit(const MediaId& id, MediaInfo info) override {
    if (done_) return absl::FailedPreconditionError("media writer finished");
    RETURN_IF_ERROR(broken_);
    if (!buffer_.empty()) RETURN_IF_ERROR(FlushChunk());
    if (sha256_.empty()) {
      sha256_ = absl::BytesToHexString(AV(hasher_.Finish()));
    }
    info.size = written_;
    info.sha256 = sha256_;
    if (store_->engine_->options().sync_writes) {
      // The chunks were written without fsync; make them durable before
      // the record that points at them.
      RETURN_IF_ERROR(FromRocks(store_->engine_->db()->SyncWAL(), "media sync"));
    }
    ASSIGN_OR_RETURN(MediaInfo stored,
                     store_->CommitBlob(blob_id_, id, std::move(info)));
    done_ = true;
    return stored;
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    Engine* engine = store_->engine_;
    rocksdb::WriteBatch batch;
    absl::Status status = StageDropChunks(engine, batch, blob_id_);
    if (status.ok()) {
      status = FromRocks(batch.Delete(engine->cf(Cf::kMediablobWriting),
                                      keys::WritingBlobKey::Encode(blob_id_)),
                         "media writing");
    }
    if (status.ok()) status = engine->Write(batch);
    if (!status.ok()) {
      MLOG(WARN) << "media: dropping blob " << blob_id_
                 << " failed (next start retries): " << status;
    }
  }

 private:
  // Chunks are written without fsync (one fsync per MiB would bound upload
  // speed): Commit syncs the WAL once before writing the record, and until
  // then nothing reads them.
  absl::Status FlushChunk() {
    rocksdb::WriteBatch batch;
    RETURN_IF_ERROR(FromRocks(
        batch.Put(store_->engine_->cf(Cf::kMediaBlob),
                  keys::MediaChunkKey::Encode(blob_id_, next_chunk_), buffer_),
        "media chunk"));
    rocksdb::WriteOptions options;
    options.sync = false;
    RETURN_IF_ERROR(FromRocks(store_->engine_->db()->Write(options, &batch),
                              "media chunk"));
    ++next_chunk_;
    buffer_.clear();
    return absl::OkStatus();
  }

  MediaStore* store_;
  const uint64_t blob_id_;
  uint64_t next_chunk_ = 0;
  uint64_t written_ = 0;
  std::string buffer_;  // The chunk being filled; at most kChunkBytes.
  crypto::Sha256Hasher hasher_;
  std::string sha256_;  // Hex, once computed (a failed Commit may retry).
  bool done_ = false;
  absl::Status broken_;  // A failed chunk write: only Abort is left.
};

absl::StatusOr<uint64_t> MediaStore::AllocateBlobId() {
  std::lock_guard<std::mutex> lock(blob_id_mu_);
  uint64_t blob_id = last_blob_id_ + 1;
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMeta),
                keys::EncodeMetaKey(keys::MetaRow::kMediaBlobId),
                keys::U64Value::Encode(blob_id)),
      "media blob id"));
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kMediablobWriting),
                                      keys::WritingBlobKey::Encode(blob_id),
                                      ""),
                            "media writing"));
  RETURN_IF_ERROR(engine_->Write(batch));
  last_blob_id_ = blob_id;
  return blob_id;
}

absl::StatusOr<std::unique_ptr<MediaStore::Writer>> MediaStore::NewWriter() {
  ASSIGN_OR_RETURN(uint64_t blob_id, AllocateBlobId());
  return std::make_unique<WriterImpl>(this, blob_id);
}

absl::StatusOr<MediaInfo> MediaStore::CommitBlob(uint64_t blob_id,
                                                 const MediaId& id,
                                                 MediaInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string id_key = IdKey(id);
  ASSIGN_OR_RETURN(std::optional<std::string> existing,
                   engine_->Get(Cf::kMediaidInfo, id_key));
  if (existing.has_value()) {
    return absl::AlreadyExistsError("media id already has content");
  }
  const std::string sha_key = keys::Sha256Key::Encode(info.sha256);
  ASSIGN_OR_RETURN(std::optional<std::string> ref,
                   engine_->Get(Cf::kSha256Blob, sha_key));
  rocksdb::WriteBatch batch;
  Record record{info, blob_id};
  uint64_t refs = 1;
  if (ref.has_value()) {
    // Identical content is stored already: point at it, drop this copy.
    auto decoded = keys::BlobRefValue::Decode(*ref);
    if (!decoded.ok()) return absl::DataLossError("sha256_blob: bad value");
    record.blob_id = std::get<0>(*decoded);
    refs = std::get<1>(*decoded) + 1;
    RETURN_IF_ERROR(StageDropChunks(engine_, batch, blob_id));
  }
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kSha256Blob), sha_key,
                keys::BlobRefValue::Encode(record.blob_id, refs)),
      "sha256_blob"));
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kMediablobWriting),
                   keys::WritingBlobKey::Encode(blob_id)),
      "media writing"));
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMediaidInfo), id_key, record.Encode()),
      "mediaid_info"));
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kMediaidPending), id_key), "pending"));
  if (!info.uploader.empty()) {
    RETURN_IF_ERROR(FromRocks(
        batch.Put(engine_->cf(Cf::kUseridMedia),
                  keys::UserMediaKey::Encode(info.uploader, id.server_name,
                                             id.media_id),
                  ""),
        "userid_media"));
  }
  RETURN_IF_ERROR(engine_->Write(batch));
  return info;
}

// ---------------------------------------------------------------- Open

absl::Status MediaStore::DropUnfinishedBlobs(Engine* engine) {
  rocksdb::WriteBatch batch;
  size_t dropped = 0;
  RETURN_IF_ERROR(ScanPrefix(
      engine, Cf::kMediablobWriting, "",
      [&](std::string_view key, std::string_view) -> absl::Status {
        auto blob = keys::WritingBlobKey::Decode(key);
        if (!blob.ok()) return absl::DataLossError("mediablob_writing: bad key");
        RETURN_IF_ERROR(StageDropChunks(engine, batch, std::get<0>(*blob)));
        ++dropped;
        return FromRocks(batch.Delete(engine->cf(Cf::kMediablobWriting),
                                      std::string(key)),
                         "media writing");
      }));
  if (dropped == 0) return absl::OkStatus();
  MLOG(INFO) << "media: dropping " << dropped << " unfinished upload(s)";
  return engine->Write(batch);
}

absl::StatusOr<std::unique_ptr<MediaStore>> MediaStore::Open(Engine* engine) {
  RETURN_IF_ERROR(DropUnfinishedBlobs(engine));
  ASSIGN_OR_RETURN(
      std::optional<std::string> last,
      engine->Get(Cf::kMeta, keys::EncodeMetaKey(keys::MetaRow::kMediaBlobId)));
  uint64_t last_blob_id = 0;
  if (last.has_value()) {
    auto decoded = keys::U64Value::Decode(*last);
    if (!decoded.ok()) return absl::DataLossError("meta: bad media blob id");
    last_blob_id = std::get<0>(*decoded);
  }
  return std::unique_ptr<MediaStore>(new MediaStore(engine, last_blob_id));
}

MediaStore::~MediaStore() = default;

// ---------------------------------------------------------------- Reads

absl::StatusOr<std::optional<MediaStore::Record>> MediaStore::ReadRecord(
    const MediaId& id, const rocksdb::ReadOptions& options) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   engine_->Get(Cf::kMediaidInfo, IdKey(id), options));
  if (!bytes.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(Record record, Record::Decode(*bytes));
  return record;
}

absl::StatusOr<std::optional<MediaInfo>> MediaStore::Get(
    const MediaId& id) const {
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(id));
  if (!record.has_value()) return std::nullopt;
  return record->info;
}

class MediaStore::ReaderImpl : public MediaStore::Reader {
 public:
  ReaderImpl(const Engine* engine, const rocksdb::Snapshot* snapshot,
             uint64_t blob_id, uint64_t offset, uint64_t end)
      : engine_(engine),
        snapshot_(snapshot),
        blob_id_(blob_id),
        begin_(offset),
        pos_(offset),
        end_(end) {}
  ~ReaderImpl() override { engine_->db()->ReleaseSnapshot(snapshot_); }

  uint64_t size() const override { return end_ - begin_; }

  absl::StatusOr<std::string> Next() override {
    if (pos_ >= end_) return std::string();
    rocksdb::ReadOptions options;
    options.snapshot = snapshot_;
    uint64_t chunk = pos_ / kChunkBytes;
    ASSIGN_OR_RETURN(
        std::optional<std::string> bytes,
        engine_->Get(Cf::kMediaBlob,
                     keys::MediaChunkKey::Encode(blob_id_, chunk), options));
    uint64_t within = pos_ % kChunkBytes;
    if (!bytes.has_value() || bytes->size() <= within) {
      return absl::DataLossError(
          absl::StrCat("media_blob: blob ", blob_id_, " chunk ", chunk,
                       " missing or short"));
    }
    uint64_t take = std::min<uint64_t>(bytes->size() - within, end_ - pos_);
    pos_ += take;
    if (within == 0 && take == bytes->size()) return *std::move(bytes);
    return bytes->substr(within, take);
  }

 private:
  const Engine* engine_;
  const rocksdb::Snapshot* snapshot_;  // Owned; released by the destructor.
  const uint64_t blob_id_;
  const uint64_t begin_;
  uint64_t pos_;
  const uint64_t end_;
};

absl::StatusOr<std::unique_ptr<MediaStore::Reader>> MediaStore::Read(
    const MediaId& id, uint64_t offset, uint64_t length) const {
  const rocksdb::Snapshot* snapshot = engine_->db()->GetSnapshot();
  rocksdb::ReadOptions options;
  options.snapshot = snapshot;
  auto record = ReadRecord(id, options);
  if (!record.ok() || !record->has_value() || offset > (*record)->info.size) {
    engine_->db()->ReleaseSnapshot(snapshot);
    if (!record.ok()) return record.status();
    if (!record->has_value()) return absl::NotFoundError("no such media");
    return absl::OutOfRangeError("offset past the end of the media");
  }
  uint64_t size = (*record)->info.size;
  uint64_t end = offset + std::min(length, size - offset);
  return std::make_unique<ReaderImpl>(engine_, snapshot, (*record)->blob_id,
                                      offset, end);
}

// ---------------------------------------------------------------- Reservations

absl::Status MediaStore::Reserve(const MediaId& id, std::string_view uploader,
                                 int64_t expires_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = IdKey(id);
  ASSIGN_OR_RETURN(std::optional<std::string> content,
                   engine_->Get(Cf::kMediaidInfo, key));
  ASSIGN_OR_RETURN(std::optional<std::string> pending,
                   engine_->Get(Cf::kMediaidPending, key));
  if (content.has_value() || pending.has_value()) {
    return absl::AlreadyExistsError("media id in use");
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Put(engine_->cf(Cf::kMediaidPending), key,
                keys::PendingValue::Encode(uploader, expires_ms)),
      "pending"));
  return engine_->Write(batch);
}

absl::StatusOr<std::optional<MediaStore::Pending>> MediaStore::GetPending(
    const MediaId& id) const {
  ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                   engine_->Get(Cf::kMediaidPending, IdKey(id)));
  if (!bytes.has_value()) return std::nullopt;
  auto decoded = keys::PendingValue::Decode(*bytes);
  if (!decoded.ok()) return absl::DataLossError("mediaid_pending: bad value");
  return Pending{std::get<0>(*decoded), std::get<1>(*decoded)};
}

absl::StatusOr<size_t> MediaStore::DropExpiredReservations(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  rocksdb::WriteBatch batch;
  size_t dropped = 0;
  RETURN_IF_ERROR(ScanPrefix(
      engine_, Cf::kMediaidPending, "",
      [&](std::string_view key, std::string_view value) -> absl::Status {
        auto decoded = keys::PendingValue::Decode(value);
        if (!decoded.ok()) return absl::DataLossError("mediaid_pending: bad value");
        if (std::get<1>(*decoded) > now_ms) return absl::OkStatus();
        ++dropped;
        return FromRocks(batch.Delete(engine_->cf(Cf::kMediaidPending),
                                      std::string(key)),
                         "pending");
      }));
  if (dropped > 0) RETURN_IF_ERROR(engine_->Write(batch));
  return dropped;
}

// ---------------------------------------------------------------- Thumbnails

absl::Status MediaStore::PutThumbnail(const MediaId& id,
                                      const ThumbnailKey& key,
                                      std::string_view content_type,
                                      std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);  // Not after a Delete of the id.
  ASSIGN_OR_RETURN(std::optional<std::string> content,
                   engine_->Get(Cf::kMediaidInfo, IdKey(id)));
  if (!content.has_value()) return absl::NotFoundError("no such media");
  std::string value;
  value.reserve(content_type.size() + 2 + bytes.size());
  keys::AppendString(value, content_type);
  value.append(bytes.data(), bytes.size());
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kMediaidThumbnail),
                                      ThumbKey(id, key), value),
                            "thumbnail"));
  return engine_->Write(batch);
}

absl::StatusOr<std::optional<std::pair<std::string, std::string>>>
MediaStore::GetThumbnail(const MediaId& id, const ThumbnailKey& key) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   engine_->Get(Cf::kMediaidThumbnail, ThumbKey(id, key)));
  if (!value.has_value()) return std::nullopt;
  std::string_view rest = *value;
  auto content_type = keys::ReadString(rest);
  if (!content_type.ok()) {
    return absl::DataLossError("mediaid_thumbnail: bad value");
  }
  return std::make_pair(*std::move(content_type), std::string(rest));
}

// ---------------------------------------------------------------- Changes

absl::Status MediaStore::Quarantine(const MediaId& id, bool quarantined) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(id));
  if (!record.has_value()) return absl::NotFoundError("no such media");
  if (record->info.quarantined == quarantined) return absl::OkStatus();
  record->info.quarantined = quarantined;
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(batch.Put(engine_->cf(Cf::kMediaidInfo),
                                      IdKey(id), record->Encode()),
                            "mediaid_info"));
  return engine_->Write(batch);
}

absl::Status MediaStore::Delete(const MediaId& id) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string key = IdKey(id);
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(id));
  ASSIGN_OR_RETURN(std::optional<std::string> pending,
                   engine_->Get(Cf::kMediaidPending, key));
  if (!record.has_value() && !pending.has_value()) {
    return absl::NotFoundError("no such media");
  }
  rocksdb::WriteBatch batch;
  RETURN_IF_ERROR(FromRocks(
      batch.Delete(engine_->cf(Cf::kMediaidPending), key), "pending"));
  std::string thumbs = keys::ThumbnailKey::EncodePrefix(id.server_name,
                                                        id.media_id);
  RETURN_IF_ERROR(FromRocks(
      batch.DeleteRange(engine_->cf(Cf::kMediaidThumbnail), thumbs,
                        *keys::PrefixUpperBound(thumbs)),
      "thumbnails"));
  if (record.has_value()) {
    RETURN_IF_ERROR(FromRocks(
        batch.Delete(engine_->cf(Cf::kMediaidInfo), key), "mediaid_info"));
    if (!record->info.uploader.empty()) {
      RETURN_IF_ERROR(FromRocks(
          batch.Delete(engine_->cf(Cf::kUseridMedia),
                       keys::UserMediaKey::Encode(record->info.uploader,
                                                  id.server_name, id.media_id)),
          "userid_media"));
    }
    const std::string sha_key = keys::Sha256Key::Encode(record->info.sha256);
    ASSIGN_OR_RETURN(std::optional<std::string> ref,
                     engine_->Get(Cf::kSha256Blob, sha_key));
    uint64_t refs = 0;
    if (ref.has_value()) {
      auto decoded = keys::BlobRefValue::Decode(*ref);
      if (!decoded.ok()) return absl::DataLossError("sha256_blob: bad value");
      refs = std::get<1>(*decoded);
    }
    if (refs > 1) {
      RETURN_IF_ERROR(FromRocks(
          batch.Put(engine_->cf(Cf::kSha256Blob), sha_key,
                    keys::BlobRefValue::Encode(record->blob_id, refs - 1)),
          "sha256_blob"));
    } else {
      RETURN_IF_ERROR(FromRocks(
          batch.Delete(engine_->cf(Cf::kSha256Blob), sha_key), "sha256_blob"));
      RETURN_IF_ERROR(StageDropChunks(engine_, batch, record->blob_id));
    }
  }
  return engine_->Write(batch);
}

absl::StatusOr<std::vector<MediaId>> MediaStore::MediaOfUser(
    std::string_view user_id) const {
  std::vector<MediaId> out;
  RETURN_IF_ERROR(ScanPrefix(
      engine_, Cf::kUseridMedia,
      keys::UserMediaKey::EncodePrefix(std::string(user_id)),
      [&](std::string_view key, std::string_view) -> absl::Status {
        auto decoded = keys::UserMediaKey::Decode(key);
        if (!decoded.ok()) return absl::DataLossError("userid_media: bad key");
        out.push_back(
            MediaId{std::get<1>(*decoded), std::get<2>(*decoded)});
        return absl::OkStatus();
      }));
  return out;
}

}  // namespace myelin::storage
