// The protocol's view of a merged plan (PROTOCOL.md §2–4): tensors, affine steps and
// non-linear steps in execution order, with everything the two parties must agree on.
//
// Architecture (both parties): shapes, op kinds and geometries, ℓ, f, f_w, and the HE
// parameters of every homomorphic term. Weights and biases (server only) travel nowhere.
//
// Masking: every tensor that feeds an affine step is "masked": the client draws r uniform in
// Z_{2^ℓ} and the server holds x̂ = x − r. An affine step's output is held as u (server,
// online) + c (client, preprocessing) = A x + b mod 2^ℓ, with
//   u = Σ_terms op(x̂_in) + b + t,     c = Σ_he_terms (A r_in − t_term) + Σ_scale_terms s·r_in,
// t = Σ t_term, so that u + c = Σ op(x̂_in + r_in) + b. A non-linear step turns (u, c) into the
// shares of its output (x̂_out on the server, r_out on the client).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "nn/kernels/conv_geometry.h"
#include "protocol/linear/coeff_layout.h"
#include "protocol/linear/linear_params.h"

namespace pg::protocol {

struct TensorInfo {
  int c = 1, h = 1, w = 1;
  size_t size() const { return size_t(c) * h * w; }
};

// A term computed homomorphically in preprocessing: a convolution or a dense layer (a dense
// layer's geometry is dense_geometry(in, out); `dense` tells the layouts apart).
struct HeTerm {
  size_t in = 0;
  ConvGeometry geometry;
  bool dense = false;
  std::vector<int64_t> weights;  // server only: [out][in/groups][kh][kw]
};

// A term the client applies to its mask locally: factor · in (a residual identity branch).
struct ScaleTerm {
  size_t in = 0;
  int64_t factor = 1;
};

struct AffineStep {
  size_t out = 0;
  std::vector<HeTerm> he_terms;
  std::vector<ScaleTerm> scale_terms;
  std::vector<int64_t> bias;  // server only, at scale 2^{f + f_w}
};

enum class NonLinearKind { kRelu, kMaxPoolRelu };

struct NonLinearStep {
  size_t in = 0, out = 0;
  NonLinearKind kind = NonLinearKind::kRelu;
  int pool_k = 1, pool_stride = 1, pool_pad = 0;
  // For each output element, the input elements of its window (k·k of them; a window that
  // overhangs the padding repeats an in-bounds element, which leaves the max unchanged).
  std::vector<std::vector<uint32_t>> windows(const TensorInfo& in_shape,
                                             const TensorInfo& out_shape) const;
};

using Step = std::variant<AffineStep, NonLinearStep>;

struct Schedule {
  int ell = 0, f = 0, f_w = 0;
  std::vector<TensorInfo> tensors;
  std::vector<Step> steps;  // execution order
  size_t input = 0;         // the client's input tensor (masked)
  size_t output = 0;        // the logits: the last affine step's output, scale 2^{f + f_w}

  // Tensors that feed an affine step (the network input and non-linear outputs).
  std::vector<bool> masked() const;
  // Throws std::invalid_argument naming the first inconsistency (a step reading a tensor
  // before it is produced, an affine step fed by an affine output, size mismatches, ...).
  void validate() const;
  // The schedule without weights and biases: what the client receives.
  Schedule architecture() const;
};

}  // namespace pg::protocol
