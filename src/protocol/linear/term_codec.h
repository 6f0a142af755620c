// The bytes of one HE term's request and reply (untrusted on the receiving side).
//
//   request: "PGHQ" | version u8 | term u32 | count u32 | count seeded ciphertexts
//            (he/serialization.h, each at the top level: c0 and a 32-byte seed)
//   reply:   "PGHP" | version u8 | term u32 | count u32 | count compact ciphertexts
//            compact ciphertext: c1 (NTT, every row of the reply level, bit-packed at each
//            prime's width) | c0 at the listed coefficients (coefficient domain, composed mod
//            q_r, rounded to a multiple of 2^drop_bits, sent as ⌈log2((q_r − 1 + 2^(d−1))/2^d)⌉-bit
//            integers)
//
// Both sides know the term's parameters, the ciphertext count and the coefficient lists from the
// architecture, so none of them travels; every size is checked before anything is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "he/ciphertext.h"
#include "he/context.h"
#include "he/reply.h"

namespace pg::protocol {

core::Bytes save_request(const he::Context& ctx, uint32_t term,
                         std::span<const he::Ciphertext> cts);
size_t request_bytes(const he::Context& ctx, size_t count);
// Expects `count` seeded ciphertexts of the context at its top level.
core::Result<std::vector<he::Ciphertext>> load_request(const he::Context& ctx, uint32_t term,
                                                       size_t count,
                                                       std::span<const uint8_t> bytes);

// Reply framing: the header, then put_compact() per ciphertext.
void put_reply_header(core::ByteWriter& w, uint32_t term, size_t count);
core::Status get_reply_header(core::ByteReader& r, uint32_t term, size_t count);
inline constexpr size_t kReplyHeaderBytes = 4 + 1 + 4 + 4;

// One ciphertext at `ct.level()` (size 2, NTT): c1 whole, c0 at `coeffs` (distinct, below N).
void put_compact(core::ByteWriter& w, const he::Context& ctx, const he::Ciphertext& ct,
                 std::span<const uint32_t> coeffs, int drop_bits);
size_t compact_bytes(const he::Context& ctx, size_t level, size_t coeff_count, int drop_bits);
// Reads one back into `out` (c0 coefficient domain, zero off the list; c1 NTT), ready for
// he::Decryptor::decrypt_reply.
core::Status get_compact(core::ByteReader& r, const he::Context& ctx, size_t level,
                         std::span<const uint32_t> coeffs, int drop_bits, he::Reply& out);

}  // namespace pg::protocol
