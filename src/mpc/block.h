// 128-bit blocks (labels, OT strings), branch-free masks on them, packed bit vectors, and a
// vector type that wipes its memory whenever it releases it (labels, Δ and OT keys are secrets).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/aes.h"
#include "core/secure.h"

namespace pg::mpc {

using Block = core::Block;

// Which AES code runs the wide AES loops (the garbling hash, the OT extension's streams): VAES
// where the CPU has it, else AES-NI (kAuto); or AES-NI always, so that tests on a VAES machine
// check that path too. Both compute the same function.
enum class AesPath : uint8_t { kAuto, kAesNi };

inline Block zero_block() {
  return _mm_setzero_si128();
}

inline Block make_block(uint64_t high, uint64_t low) {
  return _mm_set_epi64x(static_cast<int64_t>(high), static_cast<int64_t>(low));
}

inline uint64_t block_low(Block b) {
  return static_cast<uint64_t>(_mm_cvtsi128_si64(b));
}

inline uint64_t block_high(Block b) {
  return static_cast<uint64_t>(_mm_extract_epi64(b, 1));
}

// Blocks combine with the compiler's vector operators: a ^ b, a & b, a | b.

inline bool block_eq(Block a, Block b) {
  const Block x = _mm_xor_si128(a, b);
  return _mm_testz_si128(x, x) != 0;
}

// All-ones if the least significant bit of x is set, else zero; no branch.
inline Block lsb_mask(Block x) {
  return _mm_shuffle_epi32(_mm_srai_epi32(_mm_slli_epi32(x, 31), 31), 0);
}

// All-ones if bit (0 or 1) is 1.
inline Block bit_mask(uint64_t bit) {
  return _mm_set1_epi64x(static_cast<int64_t>(core::ct_mask_from_bit(bit)));
}

inline uint64_t lsb(Block x) {
  return block_low(x) & 1;
}

// Packed bit vectors: bit i is bit (i % 8) of byte i / 8 (little-endian bit order).
inline size_t bit_bytes(size_t bits) {
  return (bits + 7) / 8;
}
inline uint64_t get_bit(const uint8_t* bits, size_t i) {
  return (bits[i / 8] >> (i % 8)) & 1u;
}
inline void put_bit(uint8_t* bits, size_t i, uint64_t v) {
  bits[i / 8] = static_cast<uint8_t>((bits[i / 8] & ~(1u << (i % 8))) | ((v & 1u) << (i % 8)));
}

// All-ones in the low `width` bits (1 ≤ width ≤ 64).
inline uint64_t low_bits_mask(size_t width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Writes values of `width` bits (1..64) one after another into a packed bit vector, in the order
// of get_bit/put_bit. Writes exactly bit_bytes(total bits) bytes once finished; the caller sizes
// the buffer.
class BitWriter {
 public:
  explicit BitWriter(uint8_t* out) : out_(out) {}
  void put(uint64_t v, size_t width) {
    v &= low_bits_mask(width);
    acc_ |= v << used_;  // used_ < 64
    if (used_ + width >= 64) {
      std::memcpy(out_, &acc_, 8);  // x86-64 is little-endian, as the bit order requires
      out_ += 8;
      acc_ = used_ == 0 ? 0 : v >> (64 - used_);
      used_ = used_ + width - 64;
    } else {
      used_ += width;
    }
  }
  void finish() {
    if (used_ > 0) std::memcpy(out_, &acc_, bit_bytes(used_));
    acc_ = 0;
    used_ = 0;
  }

 private:
  uint8_t* out_;
  uint64_t acc_ = 0;
  size_t used_ = 0;
};

// Reads `width`-bit values from a packed bit vector of `bytes` bytes (never past its end).
class BitReader {
 public:
  BitReader(const uint8_t* in, size_t bytes) : in_(in), left_(bytes) {}
  uint64_t get(size_t width) {
    uint64_t v = acc_;
    if (have_ >= width) {
      acc_ = width == 64 ? 0 : acc_ >> width;
      have_ -= width;
      return v & low_bits_mask(width);
    }
    const uint64_t w = next_word();
    const size_t need = width - have_;  // 1..64, taken from the low bits of w
    v |= have_ == 0 ? w : w << have_;
    acc_ = need == 64 ? 0 : w >> need;
    have_ = 64 - need;
    return v & low_bits_mask(width);
  }

 private:
  uint64_t next_word() {
    uint64_t w = 0;
    const size_t n = left_ < 8 ? left_ : 8;
    if (n > 0) std::memcpy(&w, in_, n);
    in_ += n;
    left_ -= n;
    return w;
  }
  const uint8_t* in_;
  size_t left_;
  uint64_t acc_ = 0;
  size_t have_ = 0;
};

// Buffers of 2 MiB or more are 2 MiB-aligned, advised as transparent huge pages, and on release
// kept in a process-wide cache for reuse (wiped first if they held secrets), up to a limit of
// 256 MiB by default. A limit of 0 releases everything cached and disables the cache.
void set_buffer_cache_limit(size_t bytes);

// Writes one byte of every 4 KiB page of [p, p + bytes), so that the kernel's page faults (a
// clear of every fresh page, slow on a virtual machine whose memory the host backs lazily)
// happen now rather than later, on a critical path.
void touch_pages(void* p, size_t bytes);

namespace detail {
void* allocate_buffer(size_t bytes, size_t align);
void deallocate_buffer(void* p, size_t bytes, size_t align);
}  // namespace detail

// Elements are default-initialised (a std::vector<Block>(n) is not zeroed: every user writes
// before it reads), and large buffers use huge pages.
template <typename T, bool kWipe>
struct BufferAllocator {
  using value_type = T;
  template <typename U>
  struct rebind {
    using other = BufferAllocator<U, kWipe>;
  };
  BufferAllocator() = default;
  template <typename U>
  BufferAllocator(const BufferAllocator<U, kWipe>&) {}  // NOLINT: allocator conversion

  T* allocate(size_t n) {
    return static_cast<T*>(detail::allocate_buffer(n * sizeof(T), alignof(T)));
  }
  void deallocate(T* p, size_t n) {
    if constexpr (kWipe) core::secure_zero(p, n * sizeof(T));
    detail::deallocate_buffer(p, n * sizeof(T), alignof(T));
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    if constexpr (sizeof...(Args) == 0) {
      ::new (static_cast<void*>(p)) U;
    } else {
      ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
  }
  // Nothing to do for the trivially destructible element types used here. Without this,
  // GCC 12 lowers the element-destruction loop of clear() and ~vector() to a memset of the whole
  // buffer (std::destroy_at on vector types such as __m128i), a full extra pass over tens of MiB.
  template <typename U>
  void destroy(U* p) {
    if constexpr (!std::is_trivially_destructible_v<U>) p->~U();
  }
  template <typename U>
  bool operator==(const BufferAllocator<U, kWipe>&) const {
    return true;
  }
};

// Zeroes memory before releasing it, so that secrets held in a std::vector do not survive a
// reallocation or destruction.
template <typename T>
using WipingAllocator = BufferAllocator<T, true>;

// Public bulk data (garbled tables).
using PublicBlocks = std::vector<Block, BufferAllocator<Block, false>>;
using SecretBlocks = std::vector<Block, WipingAllocator<Block>>;
using SecretBytes = std::vector<uint8_t, WipingAllocator<uint8_t>>;

// Secret blocks that their user wipes piece by piece as it consumes them, while they are still
// in cache, so that releasing the buffer needs no second pass over memory. Until the user
// declares everything consumed (mark_consumed), release and destruction wipe the whole buffer,
// so an exception or a buffer never used leaves nothing behind.
class ConsumedSecretBlocks {
 public:
  ConsumedSecretBlocks() = default;
  ~ConsumedSecretBlocks() { release(); }
  ConsumedSecretBlocks(ConsumedSecretBlocks&& other) noexcept
      : v_(std::move(other.v_)), consumed_(other.consumed_) {
    other.v_.clear();
  }
  ConsumedSecretBlocks& operator=(ConsumedSecretBlocks&& other) noexcept {
    if (this != &other) {
      release();
      v_ = std::move(other.v_);
      consumed_ = other.consumed_;
      other.v_.clear();
    }
    return *this;
  }
  ConsumedSecretBlocks(const ConsumedSecretBlocks&) = delete;
  ConsumedSecretBlocks& operator=(const ConsumedSecretBlocks&) = delete;

  // Releases what was held, then holds n blocks (not initialised).
  void reset(size_t n) {
    release();
    v_.resize(n);
  }
  Block* data() { return v_.data(); }
  const Block* data() const { return v_.data(); }
  size_t size() const { return v_.size(); }
  void wipe(size_t first, size_t n) { core::secure_zero(v_.data() + first, n * sizeof(Block)); }
  // Every block has been wiped through wipe().
  void mark_consumed() { consumed_ = true; }
  void release() {
    if (!consumed_) core::secure_zero(v_.data(), v_.size() * sizeof(Block));
    v_.clear();
    v_.shrink_to_fit();
    consumed_ = false;
  }

 private:
  std::vector<Block, BufferAllocator<Block, false>> v_;  // wiped by hand, see above
  bool consumed_ = false;
};

// Appends n bytes with one memcpy (a range insert would construct element by element through
// the allocator).
inline void append_bytes(SecretBytes& v, const void* data, size_t n) {
  const size_t old = v.size();
  v.resize(old + n);
  if (n > 0) std::memcpy(v.data() + old, data, n);
}

}  // namespace pg::mpc
