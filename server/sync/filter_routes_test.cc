#include "server/sync/filter_routes.h"

#include "dag/base/matrix_error.h"
#include "gtest/gtest.h"
#include "storage/testing.h"

namespace myelin::sync {
namespace {

TEST(ResolveFilterTest, InlineStoredAndDefault) {
  auto engine = storage::Engine::Open(
      storage::testing::TestOptions(storage::testing::NewTempPath("rf")));
  ASSERT_TRUE(engine.ok());
  storage::FilterStore store(engine->get());
  ASSERT_EQ(*store.Add("@a:x", R"({"room":{"timeline":{"limit":3}}})"), 0u);

  auto stored = ResolveFilter(store, "@a:x", "0");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->room.timeline.limit, 3);

  auto inline_filter = ResolveFilter(store, "@a:x", R"({"room":{"include_leave":true}})");
  ASSERT_TRUE(inline_filter.ok());
  EXPECT_TRUE(inline_filter->room.include_leave);

  auto none = ResolveFilter(store, "@a:x", "");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->room.timeline.limit.has_value());

  // Another user's filter id, an unknown id, garbage.
  EXPECT_EQ(ErrcodeOf(ResolveFilter(store, "@b:x", "0").status()), "M_INVALID_PARAM");
  EXPECT_EQ(ErrcodeOf(ResolveFilter(store, "@a:x", "9").status()), "M_INVALID_PARAM");
  EXPECT_FALSE(ResolveFilter(store, "@a:x", "{broken").ok());
}

}  // namespace
}  // namespace myelin::sync
