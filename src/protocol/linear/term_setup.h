// The public setup of every HE term of a plan (internal to protocol/linear): both parties derive
// it from the architecture alone (geometry, ℓ, weight bounds and the options), so it never
// travels. Terms with equal parameters share one he::Context (and one client key).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "he/context.h"
#include "nn/plan.h"
#include "protocol/linear/coeff_layout.h"
#include "protocol/linear/he_linear.h"
#include "protocol/linear/linear_params.h"
#include "protocol/linear/slot_layout.h"

namespace pg::protocol {

struct TermSetup {
  HeTermRef ref;
  nn::ConvGeometry g;
  bool dense = false;
  size_t in_size = 0, out_size = 0;
  TermShape shape;
  TermParams params;
  size_t context = 0;                        // index into PlanSetup::contexts
  std::shared_ptr<const CoeffLayout> coeff;  // coefficient packing
  std::shared_ptr<const SlotLayout> slot;    // slot packing
  TermCounts counts;
  // Per output ciphertext, the c0 coefficients the reply carries, and the output element each
  // one holds (coefficient packing; the slot packing sends every coefficient).
  std::vector<std::vector<uint32_t>> reply_coeffs;
  std::vector<std::vector<uint32_t>> reply_index;
};

struct PlanSetup {
  HeOptions options;
  int sigma = 0;  // σ' of the whole plan
  std::vector<TermSetup> terms;
  std::vector<he::ContextPtr> contexts;
  std::vector<std::vector<int64_t>> rotations;  // per context: the steps of its Galois keys

  // Throws std::invalid_argument naming the term when no parameter set fits, or when the
  // architecture is inconsistent.
  static PlanSetup build(const nn::Plan& architecture, const HeOptions& options);

  const he::Context& context(size_t term) const { return *contexts[terms[term].context]; }

  // SHA-256 of everything both parties must derive alike from the architecture: every term's
  // parameters (scheme, packing, ring, primes, reply level, scale, mask, flooding and dropped
  // bits), its shape and its layout's sizes. The handshake compares the two sides' digests, so
  // builds that would derive different parameters refuse each other instead of decrypting
  // wrong shares.
  std::array<uint8_t, 32> digest() const;
};

// Throws std::invalid_argument unless `weights` has the term's size and every weight lies within
// its public bound (checked without an early exit: the weights are secret).
void check_weights(const TermSetup& s, std::span<const int64_t> weights);

// The parameters a term would get under one scheme and packing, or nullopt if none is
// 128-bit secure and exact (for the benchmarks, which report both schemes).
std::optional<TermSetup> setup_term(const nn::HeTerm& term, int ell, int sigma, HeScheme scheme,
                                    HePacking packing);
// The number of values a term reveals to the client in the given packing, at its worst N.
uint64_t revealed_values(const nn::HeTerm& term, HePacking packing);

}  // namespace pg::protocol
