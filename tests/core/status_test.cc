#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace seam {
namespace {

TEST(StatusTest, DefaultIsOkAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, ToStringIsCodeNameThenMessage) {
  EXPECT_EQ(Status::InvalidArgument("bad").ToString(), "invalid_argument: bad");
  EXPECT_EQ(Status::NotFound("x").ToString(), "not_found: x");
  EXPECT_EQ(Status::AlreadyExists("x").ToString(), "already_exists: x");
  EXPECT_EQ(Status::FailedPrecondition("x").ToString(), "failed_precondition: x");
  EXPECT_EQ(Status::Conflict("x").ToString(), "conflict: x");
  EXPECT_EQ(Status::Corruption("x").ToString(), "corruption: x");
  EXPECT_EQ(Status::IoError("x").ToString(), "io_error: x");
  EXPECT_EQ(Status::Unavailable("x").ToString(), "unavailable: x");
  EXPECT_EQ(Status::Internal("x").ToString(), "internal: x");
}

TEST(StatusTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  const Status s = Status::IoError("disk full").WithContext("seam `a`");
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "seam `a`: disk full");
  EXPECT_EQ(Status::IoError("disk full").WithContext("x").WithContext("y").message(),
            "y: x: disk full");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  const Status s = Status::Ok().WithContext("seam `a`");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
}

TEST(ResultTest, HoldsAStatus) {
  Result<int> r = Status::NotFound("no seam `x`");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no seam `x`");
}

TEST(ResultTest, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, ArrowReachesMembers) {
  Result<std::string> r = std::string("abc");
  EXPECT_EQ(r->size(), 3u);
}

Result<int> Half(int n) {
  if (n % 2 != 0) return Status::InvalidArgument(std::to_string(n) + " is odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  SEAM_ASSIGN_OR_RETURN(int half, Half(n));
  SEAM_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

Status CheckEven(int n) {
  SEAM_RETURN_IF_ERROR(Half(n).status());
  return Status::Ok();
}

TEST(ResultTest, AssignOrReturnPassesValuesAndReturnsTheFirstError) {
  Result<int> ok = Quarter(8);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 2);
  Result<int> inner = Quarter(6);  // 6 -> 3, then 3 is odd
  ASSERT_FALSE(inner.ok());
  EXPECT_EQ(inner.status().message(), "3 is odd");
  Result<int> outer = Quarter(5);
  ASSERT_FALSE(outer.ok());
  EXPECT_EQ(outer.status().message(), "5 is odd");
}

TEST(ResultTest, ReturnIfErrorReturnsTheError) {
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_EQ(CheckEven(3).ToString(), "invalid_argument: 3 is odd");
}

}  // namespace
}  // namespace seam
