#include "storage/media/media_store.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dag/base/strings.h"
#include "dag/crypto/hash.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/keys/media_keys.h"
#include "storage/testing.h"

namespace myelin::storage {
using namespace std::string_literals;
namespace {

constexpr uint64_t kMiB = MediaStore::kChunkBytes;
constexpr char kAlice[] = "@alice:example.org";

MediaId Id(std::string media_id, std::string server = "example.org") {
  return MediaId{std::move(server), std::move(media_id)};
}

// Deterministic bytes, different per seed, with zeros in them.
std::string Content(size_t size, uint32_t seed) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1664525u + 1013904223u;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

std::string HexSha256(std::string_view data) {
  return absl::BytesToHexString(AV(crypto::Sha256(data)));
}

// Resident memory of this process, from /proc/self/status.
uint64_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) << 10;
  }
  return 0;
}

class MediaStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::NewTempPath("media");
    Reopen();
  }
  void Reopen() {
    store_.reset();
    engine_.reset();
    auto engine = Engine::Open(testing::TestOptions(path_));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    auto store = MediaStore::Open(engine_.get());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Uploads `content` in pieces of `piece` bytes and commits it to `id`.
  absl::StatusOr<MediaInfo> Upload(const MediaId& id, const std::string& content,
                                   size_t piece = 64 << 10,
                                   std::string uploader = kAlice) {
    auto writer = store_->NewWriter();
    if (!writer.ok()) return writer.status();
    for (size_t at = 0; at < content.size(); at += piece) {
      absl::Status s = (*writer)->Write(std::string_view(content).substr(at, piece));
      if (!s.ok()) return s;
    }
    EXPECT_EQ((*writer)->written(), content.size());
    MediaInfo info;
    info.content_type = "application/octet-stream";
    info.filename = "f.bin";
    info.created_ms = 1700000000000;
    info.uploader = std::move(uploader);
    return (*writer)->Commit(id, info);
  }

  // The content read back, checking that no piece is longer than a chunk.
  std::string ReadAll(const MediaId& id, uint64_t offset = 0,
                      uint64_t length = UINT64_MAX) {
    auto reader = store_->Read(id, offset, length);
    if (!reader.ok()) return reader.status().ToString();
    std::string out;
    for (;;) {
      auto piece = (*reader)->Next();
      if (!piece.ok()) return piece.status().ToString();
      if (piece->empty()) break;
      EXPECT_LE(piece->size(), kMiB);
      out += *piece;
    }
    EXPECT_EQ(out.size(), (*reader)->size());
    return out;
  }

  // Rows of `cf` as the RocksDB iterator sees them (range deletions hide).
  size_t Rows(Cf cf) {
    std::unique_ptr<rocksdb::Iterator> it = engine_->NewIterator(cf);
    size_t n = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    EXPECT_TRUE(it->status().ok());
    return n;
  }
  // Distinct blob ids with chunks in `media_blob`.
  std::set<uint64_t> BlobIds() {
    std::set<uint64_t> ids;
    std::unique_ptr<rocksdb::Iterator> it = engine_->NewIterator(Cf::kMediaBlob);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto key = keys::MediaChunkKey::Decode(
          std::string_view(it->key().data(), it->key().size()));
      EXPECT_TRUE(key.ok());
      if (key.ok()) ids.insert(std::get<0>(*key));
    }
    return ids;
  }

  std::string path_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<MediaStore> store_;
};

TEST_F(MediaStoreTest, SmallContentRoundTrips) {
  std::string content = "hello\0world"s;
  auto info = Upload(Id("small"), content);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, content.size());
  EXPECT_EQ(info->sha256, HexSha256(content));
  auto got = store_->Get(Id("small"));
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->content_type, "application/octet-stream");
  EXPECT_EQ((*got)->filename, "f.bin");
  EXPECT_EQ((*got)->size, content.size());
  EXPECT_EQ((*got)->sha256, HexSha256(content));
  EXPECT_EQ((*got)->created_ms, 1700000000000);
  EXPECT_EQ((*got)->uploader, kAlice);
  EXPECT_FALSE((*got)->quarantined);
  EXPECT_EQ(ReadAll(Id("small")), content);
  EXPECT_FALSE(store_->Get(Id("small", "other.org"))->has_value());
  EXPECT_TRUE(absl::IsNotFound(store_->Read(Id("nope")).status()));
}

TEST_F(MediaStoreTest, EmptyContentRoundTrips) {
  auto info = Upload(Id("empty"), "");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->sha256, HexSha256(""));
  EXPECT_EQ(ReadAll(Id("empty")), "");
}

TEST_F(MediaStoreTest, MultiChunkContentRoundTrips) {
  std::string content = Content(5 * kMiB + 123, 1);
  // Odd piece sizes straddle chunk boundaries.
  auto info = Upload(Id("big"), content, 100'003);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->sha256, HexSha256(content));
  EXPECT_EQ(Rows(Cf::kMediaBlob), 6u);
  std::string back = ReadAll(Id("big"));
  EXPECT_EQ(back.size(), content.size());
  EXPECT_TRUE(back == content);
  EXPECT_EQ(HexSha256(back), info->sha256);
}

TEST_F(MediaStoreTest, ReadsRanges) {
  std::string content = Content(3 * kMiB + 500, 2);
  ASSERT_TRUE(Upload(Id("r"), content).ok());
  struct Range { uint64_t offset, length; };
  for (Range r : std::vector<Range>{{0, 10},
                                    {kMiB - 10, 20},        // across a boundary
                                    {kMiB, kMiB},           // exactly one chunk
                                    {kMiB - 1, 2 * kMiB + 2},  // three chunks
                                    {3 * kMiB + 400, 1000},  // clamped
                                    {5, 0},
                                    {content.size(), 10}}) {
    std::string want = content.substr(r.offset, r.length);
    auto reader = store_->Read(Id("r"), r.offset, r.length);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ((*reader)->size(), want.size());
    EXPECT_TRUE(ReadAll(Id("r"), r.offset, r.length) == want)
        << r.offset << "+" << r.length;
  }
  EXPECT_TRUE(absl::IsOutOfRange(
      store_->Read(Id("r"), content.size() + 1).status()));
}

TEST_F(MediaStoreTest, IdenticalContentIsStoredOnce) {
  std::string content = Content(2 * kMiB + 7, 3);
  ASSERT_TRUE(Upload(Id("a"), content).ok());
  ASSERT_TRUE(Upload(Id("b", "remote.org"), content, 4096, "").ok());
  EXPECT_EQ(BlobIds().size(), 1u);
  EXPECT_EQ(Rows(Cf::kMediaBlob), 3u);
  EXPECT_EQ(Rows(Cf::kSha256Blob), 1u);

  ASSERT_TRUE(store_->Delete(Id("a")).ok());
  EXPECT_FALSE(store_->Get(Id("a"))->has_value());
  EXPECT_TRUE(ReadAll(Id("b", "remote.org")) == content);
  EXPECT_EQ(Rows(Cf::kMediaBlob), 3u);

  ASSERT_TRUE(store_->Delete(Id("b", "remote.org")).ok());
  EXPECT_EQ(Rows(Cf::kMediaBlob), 0u);
  EXPECT_EQ(Rows(Cf::kSha256Blob), 0u);
  EXPECT_EQ(Rows(Cf::kMediaidInfo), 0u);
  EXPECT_TRUE(absl::IsNotFound(store_->Delete(Id("a"))));
  // Gone after compaction too (range tombstones are not resurrected).
  ASSERT_TRUE(engine_->CompactAll().ok());
  EXPECT_EQ(Rows(Cf::kMediaBlob), 0u);
}

TEST_F(MediaStoreTest, AbortAndDestructorDropChunks) {
  std::string content = Content(2 * kMiB + 5, 4);
  {
    auto writer = store_->NewWriter();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(content).ok());
    EXPECT_EQ(Rows(Cf::kMediaBlob), 2u);  // Full chunks are written at once.
    (*writer)->Abort();
    EXPECT_EQ(Rows(Cf::kMediaBlob), 0u);
    EXPECT_TRUE(absl::IsFailedPrecondition((*writer)->Write("x")));
    EXPECT_TRUE(
        absl::IsFailedPrecondition((*writer)->Commit(Id("x"), {}).status()));
  }
  {
    auto writer = store_->NewWriter();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(content).ok());
  }
  EXPECT_EQ(Rows(Cf::kMediaBlob), 0u);
  EXPECT_EQ(Rows(Cf::kMediablobWriting), 0u);
  EXPECT_FALSE(store_->Get(Id("x"))->has_value());
}

TEST_F(MediaStoreTest, CommitToAnIdWithContentIsAlreadyExists) {
  std::string first = Content(kMiB + 1, 5);
  ASSERT_TRUE(Upload(Id("m"), first).ok());
  auto writer = store_->NewWriter();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(Content(kMiB + 9, 6)).ok());
  EXPECT_TRUE(absl::IsAlreadyExists((*writer)->Commit(Id("m"), {}).status()));
  // The writer can still go elsewhere.
  auto info = (*writer)->Commit(Id("m2"), {});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, kMiB + 9);
  EXPECT_TRUE(ReadAll(Id("m")) == first);
  EXPECT_TRUE(ReadAll(Id("m2")) == Content(kMiB + 9, 6));
  EXPECT_EQ(BlobIds().size(), 2u);
}

TEST_F(MediaStoreTest, Reservations) {
  ASSERT_TRUE(store_->Reserve(Id("p"), kAlice, 5000).ok());
  auto pending = store_->GetPending(Id("p"));
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((*pending)->uploader, kAlice);
  EXPECT_EQ((*pending)->expires_ms, 5000);
  EXPECT_FALSE(store_->Get(Id("p"))->has_value());
  EXPECT_TRUE(absl::IsNotFound(store_->Read(Id("p")).status()));
  EXPECT_TRUE(absl::IsAlreadyExists(store_->Reserve(Id("p"), kAlice, 9000)));

  ASSERT_TRUE(Upload(Id("p"), "content").ok());
  EXPECT_FALSE(store_->GetPending(Id("p"))->has_value());
  EXPECT_TRUE(absl::IsAlreadyExists(store_->Reserve(Id("p"), kAlice, 9000)));

  ASSERT_TRUE(store_->Reserve(Id("q"), kAlice, 1000).ok());
  ASSERT_TRUE(store_->Reserve(Id("s"), kAlice, 3000).ok());
  ASSERT_TRUE(store_->Reserve(Id("t"), kAlice, 4000).ok());
  auto dropped = store_->DropExpiredReservations(3000);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(*dropped, 2u);
  EXPECT_FALSE(store_->GetPending(Id("q"))->has_value());
  EXPECT_TRUE(store_->GetPending(Id("t"))->has_value());
  ASSERT_TRUE(store_->Delete(Id("t")).ok());
  EXPECT_FALSE(store_->GetPending(Id("t"))->has_value());
}

TEST_F(MediaStoreTest, Thumbnails) {
  ASSERT_TRUE(Upload(Id("img"), Content(10000, 7)).ok());
  MediaStore::ThumbnailKey small{32, 32, "crop", false};
  MediaStore::ThumbnailKey big{800, 600, "scale", true};
  std::string big_bytes = Content(300 << 10, 8);  // Goes to a blob file.
  ASSERT_TRUE(store_->PutThumbnail(Id("img"), small, "image/png", "p\0ng"s).ok());
  ASSERT_TRUE(store_->PutThumbnail(Id("img"), big, "image/webp", big_bytes).ok());
  auto got = store_->GetThumbnail(Id("img"), small);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->first, "image/png");
  EXPECT_EQ((*got)->second, "p\0ng"s);
  got = store_->GetThumbnail(Id("img"), big);
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->first, "image/webp");
  EXPECT_TRUE((*got)->second == big_bytes);
  MediaStore::ThumbnailKey other = small;
  other.animated = true;
  EXPECT_FALSE(store_->GetThumbnail(Id("img"), other)->has_value());
  EXPECT_TRUE(absl::IsNotFound(
      store_->PutThumbnail(Id("nope"), small, "image/png", "x")));

  ASSERT_TRUE(store_->Delete(Id("img")).ok());
  EXPECT_FALSE(store_->GetThumbnail(Id("img"), small)->has_value());
  EXPECT_EQ(Rows(Cf::kMediaidThumbnail), 0u);
}

TEST_F(MediaStoreTest, QuarantineAndUserListingSurviveReopen) {
  ASSERT_TRUE(Upload(Id("one"), "1").ok());
  ASSERT_TRUE(Upload(Id("two"), Content(kMiB + 3, 9)).ok());
  ASSERT_TRUE(Upload(Id("bob"), "b", 1, "@bob:example.org").ok());
  ASSERT_TRUE(Upload(Id("remote", "remote.org"), "r", 1, "").ok());
  ASSERT_TRUE(store_->Quarantine(Id("two"), true).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Quarantine(Id("nope"), true)));
  ASSERT_TRUE(store_->Reserve(Id("later"), kAlice, 77).ok());

  Reopen();
  EXPECT_TRUE((*store_->Get(Id("two")))->quarantined);
  EXPECT_FALSE((*store_->Get(Id("one")))->quarantined);
  EXPECT_TRUE(ReadAll(Id("two")) == Content(kMiB + 3, 9));
  EXPECT_EQ((*store_->GetPending(Id("later")))->expires_ms, 77);
  auto mine = store_->MediaOfUser(kAlice);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].media_id, "one");
  EXPECT_EQ((*mine)[1].media_id, "two");
  EXPECT_EQ((*mine)[1].server_name, "example.org");
  EXPECT_EQ(store_->MediaOfUser("@bob:example.org")->size(), 1u);
  EXPECT_EQ(store_->MediaOfUser("@alice:example.or")->size(), 0u);
  ASSERT_TRUE(store_->Quarantine(Id("two"), false).ok());
  EXPECT_FALSE((*store_->Get(Id("two")))->quarantined);
  ASSERT_TRUE(store_->Delete(Id("one")).ok());
  EXPECT_EQ(store_->MediaOfUser(kAlice)->size(), 1u);

  // Blob ids keep counting up across restarts: new content, new blob.
  std::set<uint64_t> before = BlobIds();
  ASSERT_TRUE(Upload(Id("three"), Content(100, 10)).ok());
  std::set<uint64_t> after = BlobIds();
  ASSERT_EQ(after.size(), before.size() + 1);
  EXPECT_GT(*after.rbegin(), *before.rbegin());
  EXPECT_TRUE(ReadAll(Id("three")) == Content(100, 10));
}

TEST_F(MediaStoreTest, OpenDropsChunksOfAnInterruptedUpload) {
  ASSERT_TRUE(Upload(Id("kept"), Content(kMiB + 1, 11)).ok());
  auto writer = store_->NewWriter();
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Write(Content(3 * kMiB, 12)).ok());
  EXPECT_EQ(Rows(Cf::kMediaBlob), 5u);
  // A crash: the writer never commits nor aborts.
  (void)writer->release();
  Reopen();
  EXPECT_EQ(Rows(Cf::kMediaBlob), 2u);
  EXPECT_EQ(Rows(Cf::kMediablobWriting), 0u);
  EXPECT_TRUE(ReadAll(Id("kept")) == Content(kMiB + 1, 11));
}

// With sync_writes, Commit syncs the WAL the chunks went to without fsync.
TEST(MediaStoreSyncedTest, CommitsWithSyncWrites) {
  EngineOptions options = testing::TestOptions(testing::NewTempPath("synced"));
  options.sync_writes = true;
  auto engine = Engine::Open(options);
  ASSERT_TRUE(engine.ok()) << engine.status();
  auto store = MediaStore::Open(engine->get());
  ASSERT_TRUE(store.ok()) << store.status();
  auto writer = (*store)->NewWriter();
  ASSERT_TRUE(writer.ok());
  std::string content = Content(kMiB + 10, 14);
  ASSERT_TRUE((*writer)->Write(content).ok());
  auto info = (*writer)->Commit(Id("s"), {});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->sha256, HexSha256(content));
  writer->reset();
  store->reset();
}

TEST_F(MediaStoreTest, ReaderKeepsItsSnapshotAcrossDelete) {
  std::string content = Content(3 * kMiB, 13);
  ASSERT_TRUE(Upload(Id("d"), content).ok());
  auto reader = store_->Read(Id("d"));
  ASSERT_TRUE(reader.ok());
  auto first = (*reader)->Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(store_->Delete(Id("d")).ok());
  std::string out = *first;
  for (;;) {
    auto piece = (*reader)->Next();
    ASSERT_TRUE(piece.ok()) << piece.status();
    if (piece->empty()) break;
    out += *piece;
  }
  EXPECT_TRUE(out == content);
  reader->reset();
  EXPECT_TRUE(absl::IsNotFound(store_->Read(Id("d")).status()));
}

// 64 MiB in 64 KiB pieces, generated on the fly: neither writing nor
// reading holds the file in memory.
TEST_F(MediaStoreTest, LargeUploadKeepsMemoryBounded) {
  constexpr uint64_t kTotal = 64 * kMiB;
  constexpr size_t kPiece = 64 << 10;
  const uint64_t baseline = RssBytes();
  uint64_t peak = baseline;
  crypto::Sha256Hasher hasher;
  auto writer = store_->NewWriter();
  ASSERT_TRUE(writer.ok());
  for (uint64_t at = 0; at < kTotal; at += kPiece) {
    std::string piece = Content(kPiece, static_cast<uint32_t>(at / kPiece));
    hasher.Update(piece);
    ASSERT_TRUE((*writer)->Write(piece).ok());
    if (at % kMiB == 0) peak = std::max(peak, RssBytes());
  }
  auto info = (*writer)->Commit(Id("huge"), {});
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->size, kTotal);
  EXPECT_EQ(info->sha256, absl::BytesToHexString(AV(hasher.Finish())));

  auto reader = store_->Read(Id("huge"));
  ASSERT_TRUE(reader.ok());
  crypto::Sha256Hasher check;
  uint64_t read = 0;
  for (;;) {
    auto piece = (*reader)->Next();
    ASSERT_TRUE(piece.ok()) << piece.status();
    if (piece->empty()) break;
    read += piece->size();
    check.Update(*piece);
    peak = std::max(peak, RssBytes());
  }
  EXPECT_EQ(read, kTotal);
  EXPECT_EQ(absl::BytesToHexString(AV(check.Finish())), info->sha256);
  std::printf("rss growth over a 64 MiB upload and read: %.1f MiB\n",
              static_cast<double>(peak - baseline) / kMiB);
  // The test database's budget is 32 MiB (memtables included).
  EXPECT_LT(peak - baseline, 40 * kMiB);
}

}  // namespace
}  // namespace myelin::storage
