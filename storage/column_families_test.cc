// The registry, and how Engine::Open treats the families found on disk.
#include "storage/column_families.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "dag/base/log.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/engine.h"
#include "storage/testing.h"

namespace myelin::storage {
namespace {

using ::myelin::storage::testing::NewTempPath;
using ::myelin::storage::testing::TestOptions;

std::vector<std::string> FamiliesOnDisk(const std::string& path) {
  std::vector<std::string> names;
  EXPECT_TRUE(
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  std::sort(names.begin(), names.end());
  return names;
}

// Creates a plain RocksDB database with the given extra families and one
// row in each, as another release (or a stray tool) might have left it.
void CreateRawDb(const std::string& path,
                 const std::vector<std::string>& families) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (const std::string& name : families) {
    rocksdb::ColumnFamilyHandle* handle = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(options, name, &handle).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handle, "k", "v").ok());
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  ASSERT_TRUE(db->Close().ok());
}

// Reads row "k" of `family` with plain RocksDB, read-only.
std::string ReadRawRow(const std::string& path, const std::string& family) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : FamiliesOnDisk(path)) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, descriptors,
                                    &handles, &raw)
           .ok()) {
    return "<open failed>";
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value = "<missing>";
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    if (handle->GetName() == family &&
        !db->Get(rocksdb::ReadOptions(), handle, "k", &value).ok()) {
      value = "<get failed>";
    }
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  return value;
}

std::vector<std::string>* captured_lines = new std::vector<std::string>;
std::mutex captured_mu;
void CaptureSink(log::Level, std::string_view line) {
  std::lock_guard<std::mutex> lock(captured_mu);
  captured_lines->emplace_back(line);
}

TEST(ColumnFamiliesTest, RegistryNamesAreUniqueAndFindable) {
  std::set<std::string_view> names;
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    EXPECT_NE(spec.name, rocksdb::kDefaultColumnFamilyName);
    EXPECT_EQ(FindColumnFamily(spec.name), spec.id);
    EXPECT_EQ(&SpecOf(spec.id), &spec);
    EXPECT_FALSE(spec.key_layout.empty());
    EXPECT_FALSE(spec.value_layout.empty());
  }
  EXPECT_EQ(FindColumnFamily("default"), std::nullopt);
  EXPECT_EQ(FindColumnFamily("no_such_family"), std::nullopt);
  EXPECT_EQ(PresetName(Preset::kBlob), "blob");
}

TEST(ColumnFamiliesTest, FreshOpenCreatesEveryRegistryFamily) {
  std::string path = NewTempPath("fresh");
  {
    auto engine = Engine::Open(TestOptions(path));
    ASSERT_TRUE(engine.ok()) << engine.status();
    for (const ColumnFamilySpec& spec : kColumnFamilies) {
      EXPECT_EQ((*engine)->cf(spec.id)->GetName(), spec.name);
    }
  }
  std::vector<std::string> expected = {"default"};
  for (const ColumnFamilySpec& spec : kColumnFamilies) {
    expected.emplace_back(spec.name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(FamiliesOnDisk(path), expected);
}

TEST(ColumnFamiliesTest, OpenCreatesMissingFamiliesOnExistingDb) {
  std::string path = NewTempPath("missing");
  CreateRawDb(path, {});
  auto engine = Engine::Open(TestOptions(path));
  ASSERT_TRUE(engine.ok()) << engine.status();
  EXPECT_TRUE((*engine)->unknown_column_families().empty());
  auto version = (*engine)->SchemaVersion();
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(*version, kCurrentSchemaVersion);
}

TEST(ColumnFamiliesTest, UnknownFamilyIsOpenedKeptAndWarnedAbout) {
  std::string path = NewTempPath("unknown");
  CreateRawDb(path, {"from_the_future"});
  log::SetSinkForTesting(&CaptureSink);
  {
    auto engine = Engine::Open(TestOptions(path));
    ASSERT_TRUE(engine.ok()) << engine.status();
    EXPECT_EQ((*engine)->unknown_column_families(),
              std::vector<std::string>{"from_the_future"});
    EngineStats stats = (*engine)->Stats();
    auto it =
        std::find_if(stats.column_families.begin(), stats.column_families.end(),
                     [](const ColumnFamilyStats& cf) {
                       return cf.name == "from_the_future";
                     });
    ASSERT_NE(it, stats.column_families.end());
    EXPECT_FALSE(it->known);
  }
  log::SetSinkForTesting(nullptr);
  bool warned = false;
  for (const std::string& line : *captured_lines) {
    warned |= line.find("from_the_future") != std::string::npos;
  }
  EXPECT_TRUE(warned);
  // The family and its row are untouched.
  EXPECT_EQ(ReadRawRow(path, "from_the_future"), "v");
}

}  // namespace
}  // namespace myelin::storage
