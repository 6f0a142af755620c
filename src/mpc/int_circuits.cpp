#include "mpc/int_circuits.h"

#include <stdexcept>
#include <string>

#include "core/assert.h"

namespace pg::mpc::circuits {
namespace {

using Wire = CircuitBuilder::Wire;

// x + y + carry_in over the common width; also returns the carry out of the top bit when
// `carry_out` is given (one more AND).
Bits add_with_carry(CircuitBuilder& b, const Bits& x, const Bits& y, Wire carry_in,
                    Wire* carry_out) {
  PG_ASSERT(x.size() == y.size() && !x.empty(), "operands of different widths");
  const size_t n = x.size();
  Bits s(n);
  Wire c = carry_in;
  for (size_t i = 0; i < n; ++i) {
    // s = (x ^ c) ^ y shares x ^ c with the carry: four XORs per bit instead of five.
    const Wire xc = b.xor_gate(x[i], c);
    s[i] = b.xor_gate(xc, y[i]);
    if (i + 1 < n || carry_out != nullptr) {
      // maj(x, y, c) = c ^ ((x ^ c) & (y ^ c)): one AND per carry.
      c = b.xor_gate(c, b.and_gate(xc, b.xor_gate(y[i], c)));
    }
  }
  if (carry_out != nullptr) *carry_out = c;
  return s;
}

Bits negate_bits(CircuitBuilder& b, const Bits& y) {
  Bits ny(y.size());
  for (size_t i = 0; i < y.size(); ++i) ny[i] = b.not_gate(y[i]);
  return ny;
}

void check_width(size_t ell, const char* what) {
  if (ell < 1 || ell > 64) {
    throw std::invalid_argument(std::string(what) + ": ℓ must be in [1, 64], got " +
                                std::to_string(ell));
  }
}

}  // namespace

Bits add(CircuitBuilder& b, const Bits& x, const Bits& y) {
  return add_with_carry(b, x, y, b.zero(), nullptr);
}

Bits sub(CircuitBuilder& b, const Bits& x, const Bits& y) {
  return add_with_carry(b, x, negate_bits(b, y), b.one(), nullptr);
}

CircuitBuilder::Wire less_signed(CircuitBuilder& b, const Bits& x, const Bits& y) {
  // Bit ℓ of the (ℓ+1)-bit sign-extended difference x + ~y + 1 is the sign of x − y.
  Wire carry = b.zero();
  const Bits ny = negate_bits(b, y);
  add_with_carry(b, x, ny, b.one(), &carry);
  return b.xor_gate(b.xor_gate(x.back(), ny.back()), carry);
}

Bits mux(CircuitBuilder& b, CircuitBuilder::Wire s, const Bits& if1, const Bits& if0) {
  PG_ASSERT(if1.size() == if0.size(), "mux operands of different widths");
  Bits out(if0.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = b.xor_gate(if0[i], b.and_gate(s, b.xor_gate(if1[i], if0[i])));
  }
  return out;
}

Bits max_signed(CircuitBuilder& b, const Bits& x, const Bits& y) {
  return mux(b, less_signed(b, x, y), y, x);
}

Bits relu(CircuitBuilder& b, const Bits& x) {
  const Wire positive = b.not_gate(x.back());
  Bits out(x.size());
  for (size_t i = 0; i + 1 < x.size(); ++i) out[i] = b.and_gate(x[i], positive);
  out.back() = b.zero();
  return out;
}

Bits ashr(const Bits& x, size_t shift) {
  PG_ASSERT(shift < x.size(), "shift out of range");
  Bits out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[std::min(i + shift, x.size() - 1)];
  return out;
}

Bits resize_signed(const Bits& x, size_t width) {
  Bits out(width);
  for (size_t i = 0; i < width; ++i) out[i] = x[std::min(i, x.size() - 1)];
  return out;
}

Bits constant(const CircuitBuilder& b, uint64_t value, size_t width) {
  Bits out(width);
  for (size_t i = 0; i < width; ++i) out[i] = ((value >> i) & 1) != 0 ? b.one() : b.zero();
  return out;
}

size_t index_bits(size_t n) {
  size_t bits = 1;
  while ((size_t{1} << bits) < n) ++bits;
  return bits;
}

Circuit share_adder(size_t ell, size_t shift) {
  check_width(ell, "share_adder");
  if (shift >= ell) throw std::invalid_argument("share_adder: shift must be below ℓ");
  CircuitBuilder b;
  const Bits u = b.inputs(ell);
  const Bits c = b.inputs(ell);
  const Bits s = add(b, u, c);
  return b.build(Bits(s.begin() + static_cast<ptrdiff_t>(shift), s.end()));
}

Circuit window_relu_remask(size_t ell, size_t shift, size_t k) {
  check_width(ell, "window_relu_remask");
  if (shift >= ell) throw std::invalid_argument("window_relu_remask: shift must be below ℓ");
  if (k == 0) throw std::invalid_argument("window_relu_remask: empty window");
  const size_t w = ell - shift;
  CircuitBuilder b;
  std::vector<Bits> v(k);
  for (auto& x : v) x = b.inputs(w);
  const Bits r = b.inputs(ell);
  Bits m = v[0];
  for (size_t j = 1; j < k; ++j) m = max_signed(b, m, v[j]);
  // ReLU leaves a non-negative w-bit value (top bit 0): its extension to ℓ bits is zeros.
  const Bits y = resize_signed(relu(b, m), ell);
  return b.build(sub(b, y, r));
}

Circuit truncate_remask(size_t ell, size_t shift) {
  check_width(ell, "truncate_remask");
  if (shift >= ell) throw std::invalid_argument("truncate_remask: shift must be below ℓ");
  CircuitBuilder b;
  const Bits t = b.inputs(ell - shift);
  const Bits r = b.inputs(ell);
  return b.build(sub(b, resize_signed(t, ell), r));
}

Circuit argmax(size_t ell, size_t n) {
  check_width(ell, "argmax");
  if (n == 0) throw std::invalid_argument("argmax: no values");
  const size_t ib = index_bits(n);
  CircuitBuilder b;
  std::vector<Bits> v(n);
  for (auto& x : v) x = b.inputs(ell);
  Bits best = v[0];
  Bits idx = constant(b, 0, ib);
  for (size_t i = 1; i < n; ++i) {
    // Strictly greater replaces, so ties keep the first index.
    const Wire gt = less_signed(b, best, v[i]);
    if (i + 1 < n) best = mux(b, gt, v[i], best);
    idx = mux(b, gt, constant(b, i, ib), idx);
  }
  return b.build(idx);
}

}  // namespace pg::mpc::circuits
