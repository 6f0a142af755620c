// PG_ASSERT: a broken internal invariant aborts the process (never used for untrusted input).
#pragma once

namespace pg::core {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* msg);
}  // namespace pg::core

#define PG_ASSERT(cond, msg)                                                \
  do {                                                                      \
    if (!(cond)) ::pg::core::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
