#include "core/result.h"

#include <gtest/gtest.h>

namespace pg::core {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9')
    return make_error(ErrorCode::kMalformed, std::string("not a digit: ") + c);
  return c - '0';
}

Result<int> sum_two(const char* s) {
  PG_TRY_ASSIGN(int a, parse_digit(s[0]));
  PG_TRY_ASSIGN(int b, parse_digit(s[1]));
  return a + b;
}

Status check_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::kInvalidInput, "not positive");
  return {};
}

Status both(int a, int b) {
  PG_TRY(check_positive(a));
  PG_TRY(check_positive(b));
  return {};
}

TEST(Result, ValuesAndErrorsPropagate) {
  EXPECT_EQ(sum_two("34").value(), 7);
  auto bad = sum_two("3x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(bad.error().to_string(), "malformed: not a digit: x");
  EXPECT_TRUE(both(1, 2).ok());
  EXPECT_EQ(both(1, -2).error().to_string(), "invalid input: not positive");
}

TEST(Result, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInvalidInput); ++c) {
    EXPECT_STRNE(error_code_name(static_cast<ErrorCode>(c)), "unknown error");
  }
}

TEST(ResultDeath, ValueOfAnErrorAborts) {
  auto bad = parse_digit('x');
  EXPECT_DEATH((void)bad.value(), "Result::value\\(\\) on an error");
}

}  // namespace
}  // namespace pg::core
