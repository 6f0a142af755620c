#include "core/result.h"

#include <cstdio>
#include <cstdlib>

namespace pg::core {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kTooLarge:
      return "too large";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kMismatch:
      return "mismatch";
    case ErrorCode::kIo:
      return "i/o error";
    case ErrorCode::kNetwork:
      return "network error";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kProtocol:
      return "protocol error";
    case ErrorCode::kInvalidInput:
      return "invalid input";
  }
  return "unknown error";
}

std::string Error::to_string() const {
  return std::string(error_code_name(code)) + ": " + message;
}

void assert_fail(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "pangolin: internal invariant broken at %s:%d: %s (%s)\n", file, line, msg,
               expr);
  std::abort();
}

}  // namespace pg::core
