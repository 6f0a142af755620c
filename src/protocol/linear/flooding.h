// Re-randomisation of a reply (PROTOCOL.md §3 step 3): a fresh public-key encryption of zero under
// the client's key whose c0 noise is uniform in [−2^f, 2^f). he::Encryptor draws such noise up
// to f = 120; the slot baseline needs more, so wider noise is drawn here as a multi-word integer
// and added to the c0 of an encryption of zero (with the engine's smallest flooding, f = 0).
#pragma once

#include <cstddef>

#include "core/prg.h"
#include "he/ciphertext.h"
#include "he/context.h"
#include "he/encryptor.h"

namespace pg::protocol {

// out = Enc_pk(0) at `level` with flooding noise of `flood_bits` bits (≤ 1000), NTT domain.
void flooded_zero(const he::Context& ctx, const he::Encryptor& pk_encryptor, size_t level,
                  int flood_bits, he::Ciphertext& out, core::Prg& prg);

}  // namespace pg::protocol
