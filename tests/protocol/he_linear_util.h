// Shared fixtures of the HE linear-term tests: one-term plans and the direct uint64 oracle.
#pragma once

#include <algorithm>
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
  p.f = p.f_w = std::min(8, (ell - 1) / 2);  // the plan needs f + f_w < ℓ
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

#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/keys.h"
#include "protocol/linear/coeff_term.h"
#include "protocol/linear/slot_term.h"
#include "protocol/linear/term_setup.h"

namespace pg::protocol::testing {

// Term 0 of a one-term plan seen through the internal classes, with the client's keys in the
// open: what the security tests need ("everything the client knows").
struct OpenTerm {
  PlanSetup setup;
  he::ContextPtr ctx;
  he::SecretKey sk;
  he::PublicKey pk;
  he::GaloisKeys gk;
  std::unique_ptr<he::Encryptor> sym, pk_enc;
  std::unique_ptr<he::Decryptor> dec;

  OpenTerm(const nn::Plan& plan, HeOptions opt, core::Prg& prg)
      : setup(PlanSetup::build(plan.architecture(), opt)), ctx(setup.contexts[0]) {
    sk = he::SecretKey(ctx, prg);
    const he::KeyGenerator kg(ctx, sk);
    pk = kg.public_key(prg);
    if (!setup.rotations[0].empty()) gk = kg.galois_keys(setup.rotations[0], false, prg);
    sym = std::make_unique<he::Encryptor>(ctx, sk);
    pk_enc = std::make_unique<he::Encryptor>(ctx, pk);
    dec = std::make_unique<he::Decryptor>(ctx, sk);
  }
  const TermSetup& term() const { return setup.terms[0]; }

  core::Bytes encrypt(const std::vector<uint64_t>& r, core::Prg& prg) const {
    return term().coeff ? coeff_encrypt(term(), ctx, *sym, 0, r, prg)
                        : slot_encrypt(term(), ctx, *sym, 0, r, prg);
  }
};

}  // namespace pg::protocol::testing
