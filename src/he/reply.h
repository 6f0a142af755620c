// Compact replies (PROTOCOL.md §3 step 3): after flooding and modulus switching to one or two
// primes, the server sends c1 in full but c0 only at the coefficients the client reads, each
// rounded to a multiple of 2^drop_bits (the low bits are dropped, as in Cheetah). Both sides
// know the coefficient list from the public layout, so it is not sent.
//
// Dropping d bits adds an error of at most 2^(d−1) to each sent coefficient of c0; the caller
// chooses d within the decryption budget (for the BFV-scaled encoding: noise + 2^(d−1) <
// Q/(2t)). The reply decrypts through Decryptor::decrypt_reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "he/ciphertext.h"
#include "he/context.h"

namespace pg::he {

struct Reply {
  ParamsId params_id = 0;
  size_t level = 0;
  int drop_bits = 0;
  std::vector<uint32_t> coeffs;
  RnsPoly c0;  // coefficient domain: the sent values at `coeffs`, zero elsewhere
  RnsPoly c1;  // NTT domain
};

// ct: size 2 at level 0 or 1; coeffs: distinct indices below N; 0 ≤ drop_bits < log2 Q.
// Throws std::invalid_argument on misuse.
core::Bytes save_reply(const Context& ctx, const Ciphertext& ct, std::span<const uint32_t> coeffs,
                       int drop_bits);
// The size of such a reply, without building it.
size_t reply_bytes(const Context& ctx, size_t level, size_t coeff_count, int drop_bits);
core::Result<Reply> load_reply(const Context& ctx, std::span<const uint8_t> bytes,
                               std::span<const uint32_t> coeffs, int drop_bits);

}  // namespace pg::he
