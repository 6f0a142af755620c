// Homomorphic cost of the affine blocks (PROTOCOL.md §3): the tiling chooser of the coefficient
// encoding, shared by the estimator and the real kernel (protocol/linear/coeff_layout), and the
// operation counts of both encodings at a given ring degree N. The real kernels must perform
// exactly these counts; tests compare them.
//
// Counted: ct–pt multiplications (a ciphertext times a plaintext polynomial), ct–ct additions
// (and ct–pt additions of a plaintext mask, in the slot method), rotations (Galois
// automorphisms with key switching), and the input and output ciphertexts. Not counted: the
// per-output-ciphertext mask subtraction and re-randomisation (two per output ciphertext, the
// same in both encodings) and encryption/decryption. The terms of one affine step are evaluated
// independently; the client adds their decrypted outputs in the clear, which costs no HE op.
//
// (a) Coefficient encoding (coeff_layout.h has the packing and the proof that it is exact).
//   Convolution, groups 1, tiling (Cb, Hb, Wb) with Cb·Hb·Wb ≤ N, on the padded input
//   Hp × Wp (Hp = in_h + pad_top + pad_bottom): tiles = ⌈Ho1/(Hb−kh+1)⌉·⌈Wo1/(Wb−kw+1)⌉ with
//   Ho1 = Hp − kh + 1 (stride 1; strided outputs are read from the stride-1 result), channel
//   blocks B = ⌈C/Cb⌉:
//     input cts B·tiles, output cts M·tiles, ct–pt mults B·M·tiles,
//     additions M·tiles·(B − 1), rotations 0.
//   Depthwise (groups = C = M): Cb = 1, input cts = output cts = ct–pt mults = C·tiles, no
//   additions, no rotations.
//   Dense in → out with nc inputs per block and nr = min(out, ⌊N/nc⌋) rows per block:
//     input cts ⌈in/nc⌉, output cts ⌈out/nr⌉, ct–pt mults = input cts · output cts,
//     additions output cts·(input cts − 1), rotations 0.
//   The chooser minimises  cost = ct–pt mults + 8·(input cts + output cts)  (every input and
//   output ciphertext costs several NTTs for encryption, flooding and modulus switching and
//   travels the wire, while a product is one pointwise multiplication), ties to the first
//   candidate in the order Hb, then Wb, ascending; Cb is always the largest that fits.
//
// (b) Slot encoding baseline (GAZELLE-style), S = N/2 slots.
//   Convolution, groups 1. The client packs the zero-padded input plane (P = Hp·Wp slots per
//   channel), cn = min(C, ⌊S/P⌋) channels per ciphertext, one band. If P > S the padded plane is
//   cut into bands of hb = ⌊S/Wp⌋ rows (hb ≥ kh required) advancing by hb − kh + 1 rows,
//   bands = ⌈(Hp − kh + 1)/(hb − kh + 1)⌉, cn = 1, P = hb·Wp. ci = bands·⌈C/cn⌉ input cts.
//     1. per input ct, the kh·kw − 1 rotations by dy·Wp + dx (tap rotations);
//     2. per output channel m and band: the products of every rotated input ct of the band with
//        the plaintext holding w[m][c][dy][dx] on channel c's segment (M·ci·kh·kw products),
//        summed (⌈C/cn⌉·kh·kw − 1 additions);
//     3. rotate-and-sum of the cn segments into segment 0: ⌈log2 cn⌉ rotations and additions
//        per (m, band);
//     4. packing cn output channels per output ct (same layout as the input): if cn > 1, one
//        ct–pt product by a 0/1 mask of segment 0 per (m, band); then for m mod cn ≠ 0 a
//        rotation by (m mod cn)·P and an addition: bands·(M − ⌈M/cn⌉) of each.
//     Outputs are computed at stride 1; the client reads the strided slots.
//     output cts bands·⌈M/cn⌉.
//   Depthwise (groups = C = M): steps 1 and 2 only, each segment's plaintext holding its own
//   channel's weights: ct–pt mults ci·kh·kw, additions ci·(kh·kw − 1), rotations
//   ci·(kh·kw − 1), output cts ci.
//   Dense in → out: the hybrid diagonal method with baby-step/giant-step. d = next power of two
//   ≥ min(in, S); the input is cut into k = ⌈in/d⌉ chunks of d (zero-padded), each in one
//   ciphertext replicated with period d; the rows into ⌈out/d⌉ blocks of r ≤ d rows,
//   r' = next power of two ≥ r, b = 2^⌈log2(r')/2⌉ baby steps, g = r'/b giant steps.
//     baby-step rotations of each input chunk: k·(b_max − 1) (b_max over the blocks);
//     per block: k·r' products with the pre-rotated diagonals, summed over chunks and baby
//     steps (k·b − 1 additions per giant step), g − 1 giant rotations and additions, then a
//     rotate-and-sum by r', 2r', …, d/2: log2(d/r') rotations and additions.
//     Totals per block: ct–pt mults k·r', additions k·r' − 1 + log2(d/r'),
//     rotations g − 1 + log2(d/r'). Input cts k, output cts ⌈out/d⌉.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/kernels/conv_geometry.h"
#include "nn/plan.h"

namespace pg::nn {

struct ConvTiling {
  int cb = 1;  // channels per block
  int hb = 1;  // tile rows, halo included
  int wb = 1;  // tile columns, halo included
  bool operator==(const ConvTiling&) const = default;
};

struct HeOpCount {
  uint64_t ct_pt_mults = 0;
  uint64_t additions = 0;
  uint64_t rotations = 0;
  uint64_t input_cts = 0;
  uint64_t output_cts = 0;
  HeOpCount& operator+=(const HeOpCount& o);
  bool operator==(const HeOpCount&) const = default;
};

enum class HeEncoding { kCoefficient, kSlot };

// The weight the chooser gives each input or output ciphertext, in units of one product.
inline constexpr uint64_t kCiphertextWeight = 8;

// The chooser's cost of a count: ct–pt mults + kCiphertextWeight·(input + output cts).
uint64_t he_cost(const HeOpCount& c);

// The coefficient tiling with the lowest cost for a convolution (groups 1 or depthwise) at
// degree n. Throws std::invalid_argument if the kernel does not fit in n coefficients or the
// grouping is neither.
ConvTiling choose_conv_tiling(const ConvGeometry& g, size_t n);
// The number of inputs per block (nc) of a dense layer with the lowest cost at degree n.
int choose_dense_columns(int in, int out, size_t n);

HeOpCount coeff_conv_count(const ConvGeometry& g, ConvTiling t, size_t n);
HeOpCount coeff_dense_count(int in, int out, int nc, size_t n);
HeOpCount slot_conv_count(const ConvGeometry& g, size_t n);
HeOpCount slot_dense_count(int in, int out, size_t n);

// The counts of a convolution or dense layer under `e` at degree n (the coefficient encoding
// with the chosen tiling). A dense layer is dense_geometry(in, out).
HeOpCount he_layer_count(const ConvGeometry& g, bool dense, size_t n, HeEncoding e);
inline HeOpCount he_term_count(const HeTerm& t, size_t n, HeEncoding e) {
  return he_layer_count(t.geometry, t.dense, n, e);
}

}  // namespace pg::nn
