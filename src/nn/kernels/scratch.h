// Per-thread scratch buffers for the online kernels: a network calls them layer after layer, and
// fresh allocations would page-fault on every call. Each buffer only grows. The kernels read a
// buffer of the calling thread from the pool's workers while that call is running; distinct
// kinds never alias, so one kernel may hold several at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::nn::kernels {

// Kinds of buffer: one kernel may hold buffers of several kinds at once, never two of one kind.
enum ScratchKind : int {
  kScratchWords,
  kScratchDoubles,
  kScratchDoubles2,
  kScratchU64,
  kScratchWork
};

// A per-thread buffer of at least n elements (contents unspecified).
template <typename T, ScratchKind kKind>
std::vector<T>& scratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}

}  // namespace pg::nn::kernels
