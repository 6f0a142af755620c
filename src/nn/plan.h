// The merged plan (PROTOCOL.md §2): the output of the merge stage and the protocol's schedule.
// Tensors, affine steps and non-linear steps in execution order, with everything the two parties
// must agree on.
//
// Architecture (both parties; what plan_io.h serialises and hashes): ℓ, f, f_w, the tensor
// shapes, the steps with their geometries, and for every homomorphic term a public bound on its
// weights (|w| < 2^weight_bits, which the HE parameter choice needs). Weights and biases
// (server only) are a separate part.
//
// Masking: every tensor that feeds an affine step is "masked": the client draws r uniform in
// Z_{2^ℓ} and the server holds x̂ = x − r. An affine step's output is held as u (server,
// online) + c (client, preprocessing) = A x + b mod 2^ℓ, with
//   u = Σ_he op(x̂_in) + Σ_public P(x̂_in) + b + t,
//   c = Σ_he (A r_in − t_term) + Σ_public P(r_in),
// t = Σ t_term, so that u + c = Σ op(x_in) + Σ P(x_in) + b. A non-linear step turns (u, c) into
// the shares of its output (x̂_out on the server, r_out on the client).
//
// Scales: masked tensors hold values at scale 2^f; weights are integers at scale 2^{f_w}; an
// affine output is at scale 2^{f + f_w} (a public term's factor is also at scale 2^{f_w}: the
// identity branch of a residual block has factor 2^{f_w}). Every non-linear step first shifts
// its input right by f_w (arithmetic), which brings it back to scale 2^f.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "nn/kernels/conv_geometry.h"

namespace pg::nn {

using kernels::ConvGeometry;

struct TensorInfo {
  int c = 1, h = 1, w = 1;
  size_t size() const { return size_t(c) * h * w; }
  bool operator==(const TensorInfo&) const = default;
};

// A term computed homomorphically in preprocessing: a convolution, or a dense layer (`dense`;
// its geometry is dense_geometry(in, out), and it reads its input tensor flattened in C, H, W
// order, whatever that tensor's shape).
struct HeTerm {
  size_t in = 0;
  ConvGeometry geometry;
  bool dense = false;
  // Public bound: every weight satisfies |w| < 2^weight_bits (1 ≤ weight_bits ≤ 40).
  int weight_bits = 1;
  std::vector<int64_t> weights;  // server only: [out][in/groups][kh][kw]
};

// A term with public coefficients, which the client applies to its own mask and the server to
// its share: strided subsampling, zero channel padding, and a factor (at scale 2^{f_w}):
//   out[pad_before + c][y][x] = factor · in[c][y·stride][x·stride]   for c < in.c,
// and zero in the padded channels. With stride 1 and no padding it is factor · in (the identity
// branch of a residual block); with stride 2 and padding it is ResNet's shortcut "A".
// Output shape: (in.c + pad_before + pad_after) × ⌈in.h/stride⌉ × ⌈in.w/stride⌉.
struct PublicTerm {
  size_t in = 0;
  int64_t factor = 1;
  int stride = 1;
  int pad_before = 0, pad_after = 0;

  TensorInfo output_shape(const TensorInfo& in_shape) const;
  // out += factor · P(x) mod 2^64 (reduce mod 2^ℓ afterwards). Sizes must match the shapes.
  void accumulate(const TensorInfo& in_shape, std::span<const uint64_t> x,
                  std::span<uint64_t> out) const;
};

struct AffineStep {
  size_t out = 0;
  std::vector<HeTerm> he_terms;
  std::vector<PublicTerm> public_terms;
  std::vector<int64_t> bias;  // server only, at scale 2^{f + f_w}; empty means zero
};

// kRelu:        z = max(y >>ₐ f_w, 0)
// kMaxPoolRelu: z = max(max over the window of y >>ₐ f_w, 0)
// kTruncate:    z = y >>ₐ f_w   (a linear→linear chain that the merge did not fuse)
enum class NonLinearKind { kRelu, kMaxPoolRelu, kTruncate };

// A max-pool window (floor semantics; ceil-mode pools are imported with extra end padding).
// Every pad is smaller than the kernel, so every window holds at least one input element.
struct PoolWindow {
  int kh = 1, kw = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int out_h(int in_h) const { return (in_h + pad_top + pad_bottom - kh) / stride_h + 1; }
  int out_w(int in_w) const { return (in_w + pad_left + pad_right - kw) / stride_w + 1; }
  bool operator==(const PoolWindow&) const = default;
};

struct NonLinearStep {
  size_t in = 0, out = 0;
  NonLinearKind kind = NonLinearKind::kRelu;
  PoolWindow pool;  // kMaxPoolRelu only
  // For each output element, the input elements it reads: one for kRelu and kTruncate; for
  // kMaxPoolRelu the kh·kw taps of its window, where a tap in the padding repeats the nearest
  // in-bounds element of the same window (which leaves the max unchanged).
  std::vector<std::vector<uint32_t>> windows(const TensorInfo& in_shape,
                                             const TensorInfo& out_shape) const;
};

using Step = std::variant<AffineStep, NonLinearStep>;

struct Plan {
  int ell = 0, f = 0, f_w = 0;
  std::vector<TensorInfo> tensors;
  std::vector<Step> steps;  // execution order
  size_t input = 0;         // the client's input tensor (masked, scale 2^f)
  size_t output = 0;        // the logits: the last affine step's output, scale 2^{f + f_w}

  // Tensors that feed an affine step (the network input and non-linear outputs).
  std::vector<bool> masked() const;
  // Throws std::invalid_argument naming the first inconsistency (a step reading a tensor
  // before it is produced, an affine step fed by an affine output, size mismatches, ...).
  void validate() const;
  // The plan without weights and biases: what the client receives.
  Plan architecture() const;
  // True when every affine step carries its weights and biases.
  bool has_weights() const;
};

const char* to_string(NonLinearKind kind);

}  // namespace pg::nn
