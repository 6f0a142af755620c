// Shared fixtures of the HE linear-term tests: one-term plans and the direct uint64 oracle.
#pragma once

#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "core/testing.h"
#include "nn/kernels/ring_conv.h"
#include "nn/plan.h"
#include "protocol/linear/he_linear.h"

namespace pg::protocol::testing {

inline uint64_t ring_mask(int ell) {
  return ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

// Uniform weights in (−2^bits, 2^bits), with the extreme values ±(2^bits − 1) forced in.
inline std::vector<int64_t> random_weights(core::Prg& prg, size_t n, int bits) {
  const uint64_t span = (uint64_t{1} << (bits + 1)) - 1;
  std::vector<int64_t> w(n);
  for (auto& v : w) v = int64_t(prg.uniform_below(span)) - ((int64_t{1} << bits) - 1);
  if (n > 0) w[0] = (int64_t{1} << bits) - 1;
  if (n > 1) w[n - 1] = -((int64_t{1} << bits) - 1);
  return w;
}

// One affine step with one HE term: tensor 0 (the input) → tensor 1 (the output).
inline nn::Plan one_term_plan(const nn::ConvGeometry& g, bool dense, int ell, int weight_bits,
                              std::vector<int64_t> weights) {
  nn::Plan p;
  p.ell = ell;
  p.f = 8;
  p.f_w = 8;
  p.tensors = {{g.in_c, g.in_h, g.in_w}, {g.out_c, g.out_h(), g.out_w()}};
  nn::HeTerm t;
  t.in = 0;
  t.geometry = g;
  t.dense = dense;
  t.weight_bits = weight_bits;
  t.weights = std::move(weights);
  nn::AffineStep a;
  a.out = 1;
  a.he_terms.push_back(std::move(t));
  a.bias.assign(p.tensors[1].size(), 0);
  p.steps.push_back(std::move(a));
  p.input = 0;
  p.output = 1;
  return p;
}

// A·r mod 2^ℓ by the direct uint64 convolution.
inline std::vector<uint64_t> oracle(const nn::ConvGeometry& g, const std::vector<int64_t>& w,
                                    const std::vector<uint64_t>& r, int ell) {
  nn::kernels::RingConv conv(g, w);
  std::vector<uint64_t> y(g.out_size());
  conv.apply(r, ell, y, nn::kernels::RingMethod::kDirect);
  return y;
}

struct RoundTrip {
  std::vector<uint64_t> c, t;
  size_t request_bytes = 0, reply_bytes = 0;
};

// One full preprocessing exchange for term 0.
inline RoundTrip round_trip(const HeLinearClient& client, const HeLinearServer& server,
                            const HeClientKeys& keys, const std::vector<uint64_t>& r,
                            size_t out_size, core::Prg& prg) {
  RoundTrip rt;
  const auto req = client.encrypt(0, r);
  rt.t.assign(out_size, 0);
  auto reply = server.respond(0, req, keys, rt.t, prg);
  if (!reply.ok()) throw std::runtime_error(reply.error().to_string());
  auto c = client.decrypt(0, reply.value());
  if (!c.ok()) throw std::runtime_error(c.error().to_string());
  rt.c = std::move(c).value();
  rt.request_bytes = req.size();
  rt.reply_bytes = reply.value().size();
  return rt;
}

}  // namespace pg::protocol::testing
