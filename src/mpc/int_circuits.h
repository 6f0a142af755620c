// Circuit builders for signed ℓ-bit two's-complement integers (1 ≤ ℓ ≤ 64), as vectors of wires,
// least significant bit first, and the circuits of the non-linear layers (PROTOCOL.md §3).
//
// AND-gate costs (XOR and NOT are free with free-XOR):
//   add, sub (mod 2^ℓ)     ℓ − 1        ripple carry, one AND per carry
//   less_signed            ℓ            the carry out of a − b, sign-corrected
//   mux                    ℓ
//   max_signed             2ℓ
//   relu                   ℓ − 1        (fewer on values whose top bits are known copies)
//   ashr, sign_extend      0            wiring only
#pragma once

#include <cstddef>
#include <vector>

#include "mpc/circuit.h"

namespace pg::mpc {

using Bits = std::vector<CircuitBuilder::Wire>;

namespace circuits {

Bits add(CircuitBuilder& b, const Bits& x, const Bits& y);
Bits sub(CircuitBuilder& b, const Bits& x, const Bits& y);
// 1 iff x < y as signed integers of equal width.
CircuitBuilder::Wire less_signed(CircuitBuilder& b, const Bits& x, const Bits& y);
// s ? if1 : if0.
Bits mux(CircuitBuilder& b, CircuitBuilder::Wire s, const Bits& if1, const Bits& if0);
Bits max_signed(CircuitBuilder& b, const Bits& x, const Bits& y);
// max(x, 0) of a signed value: the sign bit becomes constant 0.
Bits relu(CircuitBuilder& b, const Bits& x);
// Arithmetic shift right by `shift` (< width), keeping the width.
Bits ashr(const Bits& x, size_t shift);
// The low `width` bits (width ≤ x.size()) or the sign-extension to `width` bits.
Bits resize_signed(const Bits& x, size_t width);
// Constant bits of `value` (low `width` bits).
Bits constant(const CircuitBuilder& b, uint64_t value, size_t width);

// --- The non-linear layer circuits. ---

// Phase A, per input element: inputs u (ℓ bits, garbler) then c (ℓ bits, evaluator); outputs
// the ℓ − shift bits of ((u + c) mod 2^ℓ) >>ₐ shift that are not sign copies, i.e. the
// shifted value as a signed (ℓ − shift)-bit integer. ℓ − 1 ANDs.
Circuit share_adder(size_t ell, size_t shift);

// Phase B, per output: inputs k window values of w = ℓ − shift bits each (signed), then r'
// (ℓ bits, evaluator); outputs z = ReLU(max of the window) − r' mod 2^ℓ, ℓ bits.
// 2w(k − 1) + (w − 1) + (ℓ − 1) ANDs; for k = 1 that is ReLU-truncate-remask.
Circuit window_relu_remask(size_t ell, size_t shift, size_t k);

// Phase B of truncate-remask, per output: inputs one value t of w = ℓ − shift bits (signed),
// then r' (ℓ bits, evaluator); outputs z = sext_ℓ(t) − r' mod 2^ℓ, ℓ bits. ℓ − 1 ANDs, so the
// layer costs 2ℓ − 2 with the adder. The sign extension does not make the top `shift` bits
// free: z's bits above w are r'_hi plus a borrow in {−1, 0, +1}, and the borrow ripples
// through r'_hi one AND per bit (a cheaper form would need gates that read r' in the clear).
Circuit truncate_remask(size_t ell, size_t shift);

// Argmax over n signed ℓ-bit values: outputs the index of the first maximum, in
// index_bits(n) bits. (n − 1)(2ℓ + index_bits(n)) ANDs at most.
Circuit argmax(size_t ell, size_t n);
size_t index_bits(size_t n);

}  // namespace circuits
}  // namespace pg::mpc
