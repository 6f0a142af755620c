// Wiping and constant-time helpers for code that handles secrets (STYLE.md, "Secrets").
// Masks are all-ones or all-zero words; selections use them instead of branches.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pg::core {

// Zeroes memory in a way the compiler may not elide.
void secure_zero(void* p, size_t n);

// Hides a value from the optimiser so that mask arithmetic is not turned back into a branch.
inline uint64_t value_barrier(uint64_t x) {
  __asm__("" : "+r"(x));
  return x;
}

// All-ones if bit is 1, zero if bit is 0 (bit must be 0 or 1).
inline uint64_t ct_mask_from_bit(uint64_t bit) {
  return value_barrier(0 - (bit & 1));
}

// All-ones if x == 0.
inline uint64_t ct_is_zero(uint64_t x) {
  return ct_mask_from_bit(~(x | (0 - x)) >> 63);
}

inline uint64_t ct_eq(uint64_t a, uint64_t b) {
  return ct_is_zero(a ^ b);
}

// All-ones if a < b (unsigned), without a branch or a flag-dependent instruction.
inline uint64_t ct_lt(uint64_t a, uint64_t b) {
  return ct_mask_from_bit((a ^ ((a ^ b) | ((a - b) ^ b))) >> 63);
}

// mask ? a : b, for a mask from the functions above.
inline uint64_t ct_select(uint64_t mask, uint64_t a, uint64_t b) {
  return (a & mask) | (b & ~mask);
}

// True if the n bytes are equal; the time depends on n only.
bool ct_memeq(const void* a, const void* b, size_t n);

// Conditionally swaps a and b when mask is all-ones.
inline void ct_swap(uint64_t mask, uint64_t& a, uint64_t& b) {
  const uint64_t t = (a ^ b) & mask;
  a ^= t;
  b ^= t;
}

}  // namespace pg::core
