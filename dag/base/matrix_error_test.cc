#include "dag/base/matrix_error.h"

#include "gtest/gtest.h"

namespace myelin {
namespace {

TEST(MatrixErrorTest, CarriesErrcodeAndHttpStatus) {
  absl::Status status = MatrixError(409, errcode::kRoomInUse, "alias taken");
  MatrixErrorView view = MatrixErrorOf(status);
  EXPECT_EQ(view.http_status, 409);
  EXPECT_EQ(view.errcode, "M_ROOM_IN_USE");
  EXPECT_EQ(view.message, "alias taken");
  EXPECT_FALSE(view.internal);
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
}

TEST(MatrixErrorTest, ShorthandsUseSpecStatuses) {
  EXPECT_EQ(MatrixErrorOf(Forbidden("x")).http_status, 403);
  EXPECT_EQ(MatrixErrorOf(NotJson("x")).errcode, "M_NOT_JSON");
  EXPECT_EQ(MatrixErrorOf(TooLarge("x")).http_status, 413);
  EXPECT_EQ(MatrixErrorOf(Unrecognized("x")).http_status, 404);
  EXPECT_EQ(MatrixErrorOf(UnknownToken("x")).http_status, 401);
  EXPECT_EQ(ErrcodeOf(MissingParam("x")), "M_MISSING_PARAM");
}

TEST(MatrixErrorTest, LimitExceededKeepsRetryAfter) {
  MatrixErrorView view = MatrixErrorOf(LimitExceeded("slow down", 1500));
  EXPECT_EQ(view.http_status, 429);
  EXPECT_EQ(view.errcode, "M_LIMIT_EXCEEDED");
  ASSERT_TRUE(view.retry_after_ms.has_value());
  EXPECT_EQ(*view.retry_after_ms, 1500);
}

TEST(MatrixErrorTest, PlainStatusesMapFromAbslCode) {
  EXPECT_EQ(MatrixErrorOf(absl::NotFoundError("no")).errcode, "M_NOT_FOUND");
  EXPECT_EQ(MatrixErrorOf(absl::InvalidArgumentError("no")).http_status, 400);
  EXPECT_EQ(MatrixErrorOf(absl::PermissionDeniedError("no")).errcode,
            "M_FORBIDDEN");
}

TEST(MatrixErrorTest, InternalErrorsHideTheirMessage) {
  MatrixErrorView view =
      MatrixErrorOf(absl::InternalError("rocksdb: corruption in 000123.sst"));
  EXPECT_EQ(view.http_status, 500);
  EXPECT_EQ(view.errcode, "M_UNKNOWN");
  EXPECT_TRUE(view.internal);
  EXPECT_EQ(view.message.find("rocksdb"), std::string::npos);
}

}  // namespace
}  // namespace myelin
