// Base oblivious transfer: Chou–Orlandi "simplest OT" (LATINCRYPT 2015) over ristretto255
// (libsodium), semi-honest, as random OT with 32-byte keys (≈128-bit security).
//
//   sender:   a ← Z_ℓ, A = a·G                                     → A
//   receiver: b_i ← Z_ℓ, B_i = b_i·G + c_i·A                       → B_1..B_n
//   sender:   k_i^0 = KDF(A, B_i, i, a·B_i), k_i^1 = KDF(A, B_i, i, a·(B_i − A))
//   receiver: k_i^{c_i} = KDF(A, B_i, i, b_i·A)
//
// KDF is BLAKE2b-256 with a domain label. k_i^{1−c_i} needs a·b_i·G ± a²·G, i.e. CDH. Scalars
// come from the caller's CSPRNG (64 bytes reduced mod ℓ), never from libsodium's own RNG, so
// fixed test seeds make transcripts reproducible. c_i·A is added with a constant-time select.
// Points from the peer are validated; an invalid encoding throws ChannelError(kMalformed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "mpc/channel.h"

namespace pg::mpc {

using OtKey = core::Seed;  // 32 bytes: also the seed of a PRG stream
using OtKeys = std::vector<OtKey, WipingAllocator<OtKey>>;

// n random OTs as the sender: k0[i], k1[i].
void base_ot_send(Channel& ch, core::Prg& prg, size_t n, OtKeys& k0, OtKeys& k1);

// n random OTs as the receiver with packed choice bits: kc[i] = k_{c_i}[i].
void base_ot_recv(Channel& ch, core::Prg& prg, const uint8_t* choices, size_t n, OtKeys& kc);

}  // namespace pg::mpc
