#include "protocol/linear/coeff_term.h"

#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "he/coeff_encoder.h"
#include "he/evaluator.h"
#include "protocol/linear/flooding.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

uint64_t low_mask(int ell) {
  return ell >= 64 ? ~uint64_t{0} : (uint64_t{1} << ell) - 1;
}

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

// values·Δ_top at the top level, NTT (values below 2^128).
template <typename T>
void encode_ckks(const TermSetup& s, const he::Context& ctx, std::span<const T> v,
                 he::Plaintext& out) {
  const std::vector<uint64_t> f = ckks_factor(s.params, ctx);
  const size_t top = s.params.top_level();
  out.reset(ctx, top, false, 1.0);
  for (size_t i = 0; i <= top; ++i) {
    const he::Modulus& q = ctx.modulus(i);
    uint64_t* row = out.poly().limb(i);
    for (size_t j = 0; j < v.size(); ++j) {
      // hi·2^64 + lo with hi reduced first keeps Barrett's input below 2^124.
      const he::u128 x = he::u128(v[j]);
      const uint64_t r = q.reduce((he::u128(q.reduce_word(uint64_t(x >> 64))) << 64) | uint64_t(x));
      row[j] = q.mul(r, f[i]);
    }
  }
  ctx.to_ntt(out.poly());
}

void encode_input(const TermSetup& s, const he::ContextPtr& ctx, std::span<const uint64_t> m,
                  he::Plaintext& out) {
  if (s.params.scheme == HeScheme::kPow2) {
    he::CoeffEncoder(ctx).encode_scaled(m, s.shape.ell, s.params.top_level(), out);
  } else {
    encode_ckks<uint64_t>(s, *ctx, m, out);
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
                          uint32_t k, std::span<const uint64_t> r, core::Prg& prg) {
  const CoeffLayout& l = *s.coeff;
  if (r.size() != s.in_size) {
    throw std::invalid_argument("HE encrypt: term " + std::to_string(k) + " takes " +
                                std::to_string(s.in_size) + " mask values, got " +
                                std::to_string(r.size()));
  }
  const uint64_t mask = low_mask(s.shape.ell);
  std::vector<uint64_t> masked(r.begin(), r.end()), coeffs(l.degree());
  for (auto& v : masked) v &= mask;
  std::vector<he::Ciphertext> cts(l.input_polys());
  he::Plaintext pt;
  for (size_t i = 0; i < cts.size(); ++i) {
    l.pack_input(masked, i, coeffs);
    encode_input(s, ctx, coeffs, pt);
    sym.encrypt_symmetric(pt, cts[i], prg);
  }
  pt.poly().wipe();
  core::secure_zero(masked.data(), masked.size() * sizeof(uint64_t));
  core::secure_zero(coeffs.data(), coeffs.size() * sizeof(uint64_t));
  return save_request(*ctx, k, cts);
}

core::Result<std::vector<uint64_t>> coeff_decrypt(const TermSetup& s, const he::ContextPtr& ctx,
                                                  const he::Decryptor& dec, uint32_t k,
                                                  std::span<const uint8_t> reply) {
  const TermParams& p = s.params;
  if (reply.size() != coeff_reply_bytes(s, *ctx)) {
    return core::make_error(core::ErrorCode::kMalformed,
                            "HE reply of term " + std::to_string(k) + " has the wrong length");
  }
  core::ByteReader r(reply);
  PG_TRY(get_reply_header(r, k, s.reply_coeffs.size()));
  const he::CoeffEncoder enc(ctx);
  const uint64_t mask = low_mask(s.shape.ell);
  std::vector<uint64_t> c(s.out_size, 0);
  he::Reply rep;
  he::Plaintext x;
  for (size_t o = 0; o < s.reply_coeffs.size(); ++o) {
    PG_TRY(get_compact(r, *ctx, p.reply_level, s.reply_coeffs[o], p.drop_bits, rep));
    dec.decrypt_reply(rep, x);
    const auto v = p.scheme == HeScheme::kPow2
                       ? enc.decode_scaled(x, s.shape.ell, s.reply_coeffs[o])
                       : enc.decode_int_scaled(x, p.scale_bits, s.reply_coeffs[o]);
    for (size_t i = 0; i < v.size(); ++i) c[s.reply_index[o][i]] = v[i] & mask;
  }
  x.poly().wipe();
  PG_TRY(r.expect_end());
  return c;
}

CoeffTermServer::CoeffTermServer(const TermSetup& s, he::ContextPtr ctx,
                                 std::span<const int64_t> weights, size_t& cache_budget,
                                 core::ThreadPool* pool)
    : s_(&s), ctx_(std::move(ctx)), weights_(weights.begin(), weights.end()) {
  const CoeffLayout& l = *s.coeff;
  if (weights.size() != s.g.weight_count()) {
    throw std::invalid_argument("HE server: a term has " + std::to_string(weights.size()) +
                                " weights, its geometry " + std::to_string(s.g.weight_count()));
  }
  const int64_t bound = int64_t{1} << s.shape.weight_bits;
  for (int64_t w : weights) {
    if (w <= -bound || w >= bound) {
      throw std::invalid_argument("HE server: a weight exceeds the public bound 2^" +
                                  std::to_string(s.shape.weight_bits));
    }
  }
  first_.resize(l.output_polys());
  size_t total = 0;
  for (size_t o = 0; o < l.output_polys(); ++o) {
    first_[o] = total;
    total += l.terms(o);
  }
  const size_t bytes = total * s.params.primes.size() * l.degree() * sizeof(uint64_t);
  if (bytes > cache_budget) return;
  cache_budget -= bytes;
  kernels_.resize(total);
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
  pool ? pool->parallel_for(l.output_polys(), work) : work(0, l.output_polys());
}

std::vector<const he::Plaintext*> CoeffTermServer::kernels_of(
    size_t o, std::vector<he::Plaintext>& tmp) const {
  const CoeffLayout& l = *s_->coeff;
  std::vector<const he::Plaintext*> out(l.terms(o));
  if (cached()) {
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

void CoeffTermServer::output(size_t o, const std::vector<he::Ciphertext>& in,
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
  const uint64_t mask = low_mask(s.shape.ell);
  he::Plaintext pt;
  if (p.scheme == HeScheme::kPow2) {
    std::vector<uint64_t> m(ctx.n(), 0);
    for (size_t i = 0; i < coeffs.size(); ++i) {
      m[coeffs[i]] = t_out[s.reply_index[o][i]] = prg.next_u64() & mask;
    }
    he::CoeffEncoder(ctx_).encode_scaled(m, s.shape.ell, p.top_level(), pt);
    core::secure_zero(m.data(), m.size() * sizeof(uint64_t));
  } else {
    std::vector<he::u128> m(ctx.n(), 0);
    const he::u128 h_mask = (he::u128(1) << p.mask_bits) - 1;
    for (size_t i = 0; i < coeffs.size(); ++i) {
      const uint64_t t = prg.next_u64() & mask;
      const he::u128 h = ((he::u128(prg.next_u64()) << 64) | prg.next_u64()) & h_mask;
      t_out[s.reply_index[o][i]] = t;
      m[coeffs[i]] = he::u128(t) + (h << s.shape.ell);
    }
    encode_ckks<he::u128>(s, ctx, m, pt);
    core::secure_zero(m.data(), m.size() * sizeof(he::u128));
  }
  ev.sub_plain_inplace(acc, pt);
  pt.poly().wipe();
  he::Ciphertext zero;
  flooded_zero(ctx, pk, p.top_level(), p.flood_bits, zero, prg);
  ev.add_inplace(acc, zero);
  ev.mod_switch_round_to_inplace(acc, p.reply_level);
  put_compact(w, ctx, acc, coeffs, p.drop_bits);
}

core::Result<core::Bytes> CoeffTermServer::respond(uint32_t k, std::span<const uint8_t> request,
                                                   const he::Encryptor& pk,
                                                   std::span<uint64_t> t_out, core::Prg& prg,
                                                   core::ThreadPool* pool) const {
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
  auto work = [&](size_t b, size_t e) {
    for (size_t o = b; o < e; ++o) {
      core::Prg sub = core::Prg::from_seed(seeds[o]);
      core::ByteWriter w(
          compact_bytes(*ctx_, s.params.reply_level, s.reply_coeffs[o].size(), s.params.drop_bits));
      output(o, in, pk, t_out, sub, w);
      parts[o] = w.take();
    }
  };
  pool ? pool->parallel_for(outs, work) : work(0, outs);
  core::secure_zero(seeds.data(), seeds.size() * sizeof(core::Seed));
  core::ByteWriter w(coeff_reply_bytes(s, *ctx_));
  put_reply_header(w, k, outs);
  for (const auto& part : parts) w.put_raw(part);
  return w.take();
}

}  // namespace pg::protocol
