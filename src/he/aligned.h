// 64-byte aligned, uninitialised-by-default storage for polynomial data. AVX2 loads of 32 bytes
// never straddle a cache line, and resize() of a large scratch buffer does not spend time
// zeroing memory that is about to be overwritten (use assign(n, 0) when zeros are needed).
//
// Blocks of 4 KiB and more are recycled through a per-thread cache (at most 16 blocks of a size
// and 256 MiB in all per thread): the evaluator's temporaries have a handful of sizes, and
// without the cache every operation would return its scratch memory to the kernel and fault it
// back in on the next one. A thread's cache is released when the thread ends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace pg::he {

void* pool_allocate(size_t bytes);
void pool_deallocate(void* p, size_t bytes) noexcept;

template <typename T>
struct AlignedAllocator {
  using value_type = T;

  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(size_t n) { return static_cast<T*>(pool_allocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { pool_deallocate(p, n * sizeof(T)); }

  // Default-initialisation: trivial types are left uninitialised by resize().
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(static_cast<Args&&>(args)...);
  }

  template <typename U>
  bool operator==(const AlignedAllocator<U>&) const noexcept {
    return true;
  }
};

using U64Vec = std::vector<uint64_t, AlignedAllocator<uint64_t>>;

}  // namespace pg::he
