// 64-byte aligned, uninitialised-by-default storage for polynomial data. AVX2 loads of 32 bytes
// never straddle a cache line, and resize() of a large scratch buffer does not spend time
// zeroing memory that is about to be overwritten (use assign(n, 0) when zeros are needed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

namespace pg::he {

template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};

  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}  // NOLINT: rebinding

  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) noexcept { ::operator delete(p, kAlign); }

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
