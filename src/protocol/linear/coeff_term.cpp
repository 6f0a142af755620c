#include "protocol/linear/coeff_term.h"

#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "he/coeff_encoder.h"
#include "he/evaluator.h"
#include "protocol/linear/flooding.h"
#include "protocol/linear/masked_value.h"
#include "protocol/linear/term_client.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

// Δ_top = 2^s·P_drop mod each prime (kCkks): after the switch the scale is exactly 2^s.
std::vector<uint64_t> ckks_factor(const TermParams& p, const he::Context& ctx) {
  std::vector<uint64_t> f(p.primes.size());
  for (size_t i = 0; i < f.size(); ++i) {
    const he::Modulus& q = ctx.modulus(i);
    uint64_t v = q.pow(2, uint64_t(p.scale_bits));
    for (size_t j = p.reply_level + 1; j < p.primes.size(); ++j)
      v = q.mul(v, q.reduce(p.primes[j]));
    f[i] = v;
  }
  return f;
}

// (t + 2^ℓ·h)·Δ_top at the top level, NTT (h may be empty: zero).
void encode_ckks(const TermSetup& s, const he::Context& ctx, std::span<const uint64_t> t,
                 std::span<const he::u128> h, he::Plaintext& out) {
  const std::vector<uint64_t> f = ckks_factor(s.params, ctx);
  const size_t top = s.params.top_level();
  out.reset(ctx, top, false, 1.0);
  for (size_t i = 0; i <= top; ++i) {
    const he::Modulus& q = ctx.modulus(i);
    const uint64_t two_ell = q.pow(2, uint64_t(s.shape.ell));
    uint64_t* row = out.poly().limb(i);
    for (size_t j = 0; j < t.size(); ++j) {
      row[j] = q.mul(masked_residue(q, t[j], h.empty() ? 0 : h[j], two_ell), f[i]);
    }
  }
  ctx.to_ntt(out.poly());
}

void encode_input(const TermSetup& s, const he::ContextPtr& ctx, std::span<const uint64_t> m,
                  he::Plaintext& out) {
  if (s.params.scheme == HeScheme::kPow2) {
    he::CoeffEncoder(ctx).encode_scaled(m, s.shape.ell, s.params.top_level(), out);
  } else {
    encode_ckks(s, *ctx, m, {}, out);
  }
}

}  // namespace

size_t coeff_reply_bytes(const TermSetup& s, const he::Context& ctx) {
  size_t total = kReplyHeaderBytes;
  for (const auto& coeffs : s.reply_coeffs) {
    total += compact_bytes(ctx, s.params.reply_level, coeffs.size(), s.params.drop_bits);
  }
  return total;
}

core::Bytes coeff_encrypt(const TermSetup& s, const he::ContextPtr& ctx, const he::Encryptor& sym,
                          uint32_t k, std::span<const uint64_t> r, core::Prg& prg,
                          core::ThreadPool* pool) {
  const CoeffLayout& l = *s.coeff;
  return encrypt_mask(
      *ctx, sym, k, r, s.in_size, s.shape.ell, l.input_polys(), l.degree(),
      [&](std::span<const uint64_t> x, size_t i, std::span<uint64_t> v) { l.pack_input(x, i, v); },
      [&](std::span<const uint64_t> v, he::Plaintext& pt) { encode_input(s, ctx, v, pt); }, prg,
      pool);
}

core::Result<std::vector<uint64_t>> coeff_decrypt(const TermSetup& s, const he::ContextPtr& ctx,
                                                  const he::Decryptor& dec, uint32_t k,
                                                  std::span<const uint8_t> reply,
                                                  core::ThreadPool* pool) {
  const TermParams& p = s.params;
  const he::CoeffEncoder enc(ctx);
  const uint64_t mask = ring_mask(s.shape.ell);
  std::vector<uint64_t> c(s.out_size, 0);
  const ReplyLayout layout{p.reply_level, p.drop_bits,
                           [&](size_t o) { return std::span<const uint32_t>(s.reply_coeffs[o]); },
                           s.reply_coeffs.size()};
  PG_TRY(decrypt_reply(
      *ctx, dec, k, reply, layout,
      [&](size_t o, const he::Plaintext& x) {
        const auto v = p.scheme == HeScheme::kPow2
                           ? enc.decode_scaled(x, s.shape.ell, s.reply_coeffs[o])
                           : enc.decode_int_scaled(x, p.scale_bits, s.reply_coeffs[o]);
        for (size_t i = 0; i < v.size(); ++i) {
          c[s.reply_index[o][i]] = v[i] & mask;
        }
      },
      pool));
  return c;
}

CoeffTermServer::~CoeffTermServer() {
  core::secure_zero(weights_.data(), weights_.size() * sizeof(int64_t));
  for (auto& pt : kernels_) pt.poly().wipe();
}

CoeffTermServer::CoeffTermServer(const TermSetup& s, he::ContextPtr ctx,
                                 std::span<const int64_t> weights, size_t& cache_budget,
                                 core::ThreadPool* pool)
    : s_(&s), ctx_(std::move(ctx)), weights_(weights.begin(), weights.end()) {
  const CoeffLayout& l = *s.coeff;
  check_weights(s, weights);
  first_.resize(l.output_polys());
  size_t total = 0;
  for (size_t o = 0; o < l.output_polys(); ++o) {
    first_[o] = total;
    total += l.terms(o);
  }
  // The kernels of as many leading outputs as the budget holds are prepared once.
  const size_t each = s.params.primes.size() * l.degree() * sizeof(uint64_t);
  while (cached_outputs_ < l.output_polys() &&
         (first_[cached_outputs_] + l.terms(cached_outputs_)) * each <= cache_budget) {
    ++cached_outputs_;
  }
  const size_t count =
      cached_outputs_ == 0 ? 0 : first_[cached_outputs_ - 1] + l.terms(cached_outputs_ - 1);
  cache_budget -= count * each;
  kernels_.resize(count);
  auto work = [&](size_t b, size_t e) {
    const he::CoeffEncoder enc(ctx_);
    std::vector<int64_t> coeffs(l.degree());
    for (size_t o = b; o < e; ++o) {
      for (size_t t = 0; t < l.terms(o); ++t) {
        l.pack_kernel(weights_, o, t, coeffs);
        enc.encode_int(coeffs, s.params.top_level(), kernels_[first_[o] + t]);
      }
    }
  };
  pool ? pool->parallel_for(cached_outputs_, work) : work(0, cached_outputs_);
}

std::vector<const he::Plaintext*> CoeffTermServer::kernels_of(
    size_t o, std::vector<he::Plaintext>& tmp) const {
  const CoeffLayout& l = *s_->coeff;
  std::vector<const he::Plaintext*> out(l.terms(o));
  if (o < cached_outputs_) {
    for (size_t t = 0; t < out.size(); ++t) out[t] = &kernels_[first_[o] + t];
    return out;
  }
  const he::CoeffEncoder enc(ctx_);
  std::vector<int64_t> coeffs(l.degree());
  tmp.resize(out.size());
  for (size_t t = 0; t < out.size(); ++t) {
    l.pack_kernel(weights_, o, t, coeffs);
    enc.encode_int(coeffs, s_->params.top_level(), tmp[t]);
    out[t] = &tmp[t];
  }
  return out;
}

size_t CoeffTermServer::output(size_t o, const std::vector<he::Ciphertext>& in,
                               const he::Encryptor& pk, std::span<uint64_t> t_out, core::Prg& prg,
                               core::ByteWriter& w) const {
  const TermSetup& s = *s_;
  const TermParams& p = s.params;
  const he::Context& ctx = *ctx_;
  const he::Evaluator ev(ctx_);
  std::vector<he::Plaintext> tmp;
  const auto kernels = kernels_of(o, tmp);
  std::vector<const he::Ciphertext*> cts(kernels.size());
  for (size_t t = 0; t < cts.size(); ++t) cts[t] = &in[s.coeff->input_of(o, t)];
  he::Ciphertext acc;
  ev.inner_product_plain(cts, kernels, acc);
  // The mask T at the output coefficients (the others are never sent).
  const auto& coeffs = s.reply_coeffs[o];
  const uint64_t mask = ring_mask(s.shape.ell);
  he::Plaintext pt;
  if (p.scheme == HeScheme::kPow2) {
    std::vector<uint64_t> m(ctx.n(), 0);
    for (size_t i = 0; i < coeffs.size(); ++i) {
      m[coeffs[i]] = t_out[s.reply_index[o][i]] = prg.next_u64() & mask;
    }
    he::CoeffEncoder(ctx_).encode_scaled(m, s.shape.ell, p.top_level(), pt);
    core::secure_zero(m.data(), m.size() * sizeof(uint64_t));
  } else {
    std::vector<uint64_t> m(ctx.n(), 0);
    std::vector<he::u128> h(ctx.n(), 0);
    for (size_t i = 0; i < coeffs.size(); ++i) {
      m[coeffs[i]] = t_out[s.reply_index[o][i]] = prg.next_u64() & mask;
      h[coeffs[i]] = draw_high_mask(prg, p.mask_bits);
    }
    encode_ckks(s, ctx, m, h, pt);
    core::secure_zero(m.data(), m.size() * sizeof(uint64_t));
    core::secure_zero(h.data(), h.size() * sizeof(he::u128));
  }
  ev.sub_plain_inplace(acc, pt);
  pt.poly().wipe();
  he::Ciphertext zero;
  flooded_zero(ctx, pk, p.top_level(), p.flood_bits, zero, prg);
  ev.add_inplace(acc, zero);
  ev.mod_switch_round_to_inplace(acc, p.reply_level);
  put_compact(w, ctx, acc, coeffs, p.drop_bits);
  return cts.size();
}

core::Result<core::Bytes> CoeffTermServer::respond(uint32_t k, std::span<const uint8_t> request,
                                                   const he::Encryptor& pk,
                                                   std::span<uint64_t> t_out, core::Prg& prg,
                                                   core::ThreadPool* pool,
                                                   nn::HeOpCount* performed) const {
  const TermSetup& s = *s_;
  if (t_out.size() != s.out_size) {
    throw std::invalid_argument("HE respond: t_out must hold the term's " +
                                std::to_string(s.out_size) + " outputs");
  }
  const size_t outs = s.coeff->output_polys();
  PG_TRY_ASSIGN(auto in, load_request(*ctx_, k, s.coeff->input_polys(), request));
  std::vector<core::Seed> seeds(outs);
  for (auto& sd : seeds) sd = prg.derive_seed();
  std::vector<core::Bytes> parts(outs);
  std::vector<size_t> products(outs);
  auto work = [&](size_t b, size_t e) {
    for (size_t o = b; o < e; ++o) {
      core::Prg sub = core::Prg::from_seed(seeds[o]);
      core::ByteWriter w(
          compact_bytes(*ctx_, s.params.reply_level, s.reply_coeffs[o].size(), s.params.drop_bits));
      products[o] = output(o, in, pk, t_out, sub, w);
      parts[o] = w.take();
    }
  };
  pool ? pool->parallel_for(outs, work) : work(0, outs);
  core::secure_zero(seeds.data(), seeds.size() * sizeof(core::Seed));
  if (performed) {
    // One lazy inner product per output: its products summed by one fewer additions.
    *performed = {};
    for (size_t n : products) {
      performed->ct_pt_mults += n;
      performed->additions += n - 1;
    }
    performed->input_cts = in.size();
    performed->output_cts = outs;
  }
  core::ByteWriter w(coeff_reply_bytes(s, *ctx_));
  put_reply_header(w, k, outs);
  for (const auto& part : parts) w.put_raw(part);
  return w.take();
}

}  // namespace pg::protocol
