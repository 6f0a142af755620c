// Per-thread scratch buffers for the online kernels: a network calls them layer after layer, and
// fresh allocations would page-fault on every call. Each buffer only grows. The kernels read a
// buffer of the calling thread from the pool's workers while that call is running; distinct
// kinds never alias, so one kernel may hold several at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pg::nn::kernels {

template <typename T, int kKind>
std::vector<T>& scratch(size_t n) {
  thread_local std::vector<T> buf;
  if (buf.size() < n) buf.resize(n);
  return buf;
}

inline std::vector<int16_t>& scratch_digits(size_t n) {
  return scratch<int16_t, 0>(n);
}
inline std::vector<int32_t>& scratch_words(size_t n) {
  return scratch<int32_t, 1>(n);
}
inline std::vector<double>& scratch_doubles(size_t n) {
  return scratch<double, 2>(n);
}
inline std::vector<double>& scratch_doubles2(size_t n) {
  return scratch<double, 3>(n);
}
inline std::vector<uint64_t>& scratch_u64(size_t n) {
  return scratch<uint64_t, 4>(n);
}
inline std::vector<uint64_t>& scratch_u64_2(size_t n) {
  return scratch<uint64_t, 5>(n);
}

}  // namespace pg::nn::kernels
