// PG_ASSERT: a broken internal invariant aborts the process (never used for untrusted input).
#pragma once

namespace pg::core {
[[noreturn]] void assert_fail(const char* expr, const char* file, int line, const char* msg);
}  // namespace pg::core

// Token pasting after macro expansion (unique names from __LINE__).
#define PG_CONCAT_INNER(a, b) a##b
#define PG_CONCAT(a, b) PG_CONCAT_INNER(a, b)

#define PG_ASSERT(cond, msg)                                                \
  do {                                                                      \
    if (!(cond)) ::pg::core::assert_fail(#cond, __FILE__, __LINE__, (msg)); \
  } while (0)
