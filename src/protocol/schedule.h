// What both parties derive from the plan's architecture before any material exists: the order
// of the homomorphic terms, the garbled-circuit spec of every non-linear step, and the argmax of
// label mode. Both sides build it from the same architecture, so their preprocessing and online
// stages walk the steps in the same order (the GC tweak counters depend on it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/prg.h"
#include "core/result.h"
#include "mpc/nonlinear_spec.h"
#include "nn/plan.h"
#include "protocol/linear/he_linear.h"

namespace pg::protocol {

using Shares = std::vector<uint64_t>;

struct Schedule {
  nn::Plan architecture;                     // no weights
  std::vector<HeTermRef> he_terms;           // he_linear.h's numbering
  std::vector<size_t> nonlinear_steps;       // indices into architecture.steps
  std::vector<mpc::NonLinearSpec> nl_specs;  // aligned with nonlinear_steps
  mpc::NonLinearSpec argmax;                 // on the logits (label mode)

  // Errors: kMalformed for an invalid plan, kUnsupported for one the protocol cannot run (an f_w
  // outside [1, ℓ), an output that is not an affine step's).
  static core::Result<Schedule> make(const nn::Plan& plan);

  int ell() const { return architecture.ell; }
  uint64_t mask() const;
  size_t input_size() const { return architecture.tensors[architecture.input].size(); }
  size_t output_size() const { return architecture.tensors[architecture.output].size(); }
  const nn::HeTerm& term(size_t k) const;
  const nn::AffineStep& affine_of(size_t k) const;
};

// Uniform in Z_{2^ℓ}, from the CSPRNG.
Shares random_shares(core::Prg& prg, size_t n, int ell);

// Wipes a vector of secrets (masks, shares) and releases it.
void wipe(Shares& v);
void wipe(std::vector<Shares>& v);

}  // namespace pg::protocol
