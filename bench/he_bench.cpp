// The CKKS engine's primitives, one thread, named BM_<Op>/<N> so that a script can read the
// figures from --benchmark_format=json. Parameters (as in the SEAL table):
//   N = 4096:  data {36, 36}, special {37}, Δ = 2^30
//   N = 8192:  data {60, 40, 40}, special {60}, Δ = 2^40
//   N = 16384: data {60, 40, 40, 40, 40}, special {60}, Δ = 2^40
// Ciphertexts are at the top level unless said otherwise. Key generation is outside the timings.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include "core/prg.h"
#include "he/ckks_encoder.h"
#include "he/coeff_encoder.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/matvec.h"
#include "he/reply.h"
#include "he/serialization.h"

namespace {

using namespace pg::he;

struct Env {
  explicit Env(size_t n)
      : prg(pg::core::Prg::from_os()),
        ctx(Context::create(literal(n))),
        scale(n == 4096 ? 0x1p30 : 0x1p40),
        sk(ctx, prg),
        kg(ctx, sk),
        pk(kg.public_key(prg)),
        rk(kg.relin_keys(prg)),
        enc(ctx),
        encryptor(ctx, pk, sk),
        dec(ctx, sk),
        ev(ctx) {
    std::vector<int64_t> steps;
    for (int64_t s = 1; s <= 16; ++s) steps.push_back(s);
    gk = kg.galois_keys(steps, false, prg);
    values.resize(n / 2);
    for (auto& v : values) v = double(prg.next_u64() >> 11) * 0x1p-53;
    enc.encode(values, scale, ctx->top_level(), pt);
    encryptor.encrypt(pt, ct, prg);
    encryptor.encrypt(pt, ct2, prg);
  }

  static ParamsLiteral literal(size_t n) {
    if (n == 4096) return ParamsLiteral::from_bits(4096, {36, 36}, {37});
    if (n == 8192) return ParamsLiteral::from_bits(8192, {60, 40, 40}, {60});
    return ParamsLiteral::from_bits(16384, {60, 40, 40, 40, 40}, {60});
  }

  pg::core::Prg prg;
  ContextPtr ctx;
  double scale;
  SecretKey sk;
  KeyGenerator kg;
  PublicKey pk;
  RelinKeys rk;
  GaloisKeys gk;
  CkksEncoder enc;
  Encryptor encryptor;
  Decryptor dec;
  Evaluator ev;
  std::vector<double> values;
  Plaintext pt;
  Ciphertext ct, ct2;
};

Env& env(size_t n) {
  static std::map<size_t, std::unique_ptr<Env>> envs;
  auto& e = envs[n];
  if (!e) e = std::make_unique<Env>(n);
  return *e;
}

size_t arg_n(const benchmark::State& s) {
  return size_t(s.range(0));
}

// One limb of the first prime: 60 bits, except 36 at N = 4096.
void ntt_bench(benchmark::State& state, bool forward) {
  Env& e = env(arg_n(state));
  const NttTables& t = e.ctx->ntt(0);
  U64Vec a(e.ctx->n());
  for (auto& v : a) v = e.prg.uniform_below(t.modulus().value());
  for (auto _ : state) {
    if (forward) {
      t.forward(a.data());
    } else {
      t.inverse(a.data());
    }
    benchmark::DoNotOptimize(a.data());
  }
}

void BM_NttForward(benchmark::State& state) {
  ntt_bench(state, true);
}

void BM_NttInverse(benchmark::State& state) {
  ntt_bench(state, false);
}

void BM_Encode(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Plaintext p;
  for (auto _ : state) e.enc.encode(e.values, e.scale, e.ctx->top_level(), p);
}

void BM_Decode(benchmark::State& state) {
  Env& e = env(arg_n(state));
  std::vector<double> out;  // real slots, as SEAL's decode into std::vector<double>
  for (auto _ : state) e.enc.decode_real(e.pt, out);
}

void BM_EncryptPk(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext c;
  for (auto _ : state) e.encryptor.encrypt(e.pt, c, e.prg);
}

void BM_EncryptSym(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext c;
  for (auto _ : state) e.encryptor.encrypt_symmetric(e.pt, c, e.prg);
}

void BM_Decrypt(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Plaintext p;
  for (auto _ : state) e.dec.decrypt(e.ct, p);
}

void BM_Add(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out = e.ct;
  for (auto _ : state) e.ev.add(e.ct, e.ct2, out);
}

// The plaintext is cached in NTT form with its Shoup companions (Plaintext::prepare_shoup), as a
// server caches its weights; BM_MulPlainUncached multiplies by the bare NTT form.
void BM_MulPlain(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Plaintext p = e.pt;
  p.prepare_shoup(*e.ctx);
  Ciphertext out = e.ct;
  for (auto _ : state) e.ev.multiply_plain(e.ct, p, out);
}

void BM_MulPlainUncached(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out = e.ct;
  for (auto _ : state) e.ev.multiply_plain(e.ct, e.pt, out);
}

void BM_MulRelin(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out;
  for (auto _ : state) {
    e.ev.multiply(e.ct, e.ct2, out);
    e.ev.relinearize_inplace(out, e.rk);
  }
}

void BM_Rescale(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out;
  for (auto _ : state) e.ev.rescale_to_next(e.ct, out);
}

void BM_Rotate(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out;
  for (auto _ : state) e.ev.rotate(e.ct, 1, e.gk, out);
}

void BM_RotateHoisted16(benchmark::State& state) {
  Env& e = env(arg_n(state));
  std::vector<int64_t> steps;
  for (int64_t s = 1; s <= 16; ++s) steps.push_back(s);
  std::vector<Ciphertext> out;
  for (auto _ : state) e.ev.rotate_hoisted(e.ct, steps, e.gk, out);
}

void BM_MatVec128(benchmark::State& state) {
  Env& e = env(arg_n(state));
  std::vector<std::vector<double>> m(128, std::vector<double>(128));
  for (auto& row : m) {
    for (auto& v : row) v = double(e.prg.next_u64() >> 11) * 0x1p-53;
  }
  const MatVec mv(e.enc, m, e.scale, e.ctx->top_level());
  const GaloisKeys gk = e.kg.galois_keys(mv.rotation_steps(), false, e.prg);
  Ciphertext out;
  for (auto _ : state) {
    mv.apply(e.ev, e.ct, gk, out);
    e.ev.rescale_to_next_inplace(out);
  }
}

// Bytes of a serialised top-level ciphertext, full and seeded (counters; the time is that of
// serialising the seeded one).
void BM_CiphertextBytes(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext seeded;
  e.encryptor.encrypt_symmetric(e.pt, seeded, e.prg);
  for (auto _ : state) benchmark::DoNotOptimize(save_ciphertext(*e.ctx, seeded));
  state.counters["full_bytes"] = double(save_ciphertext(*e.ctx, seeded, true).size());
  state.counters["seeded_bytes"] = double(save_ciphertext(*e.ctx, seeded).size());
}

// Protocol operations: 16 ct × pt products summed lazily, a flooded public-key encryption of
// zero (b = 100, or log2 Q − 20 where Q is smaller), and the divide-and-round switch from the top
// level to q_0.
void BM_InnerProduct16(benchmark::State& state) {
  Env& e = env(arg_n(state));
  std::vector<const Ciphertext*> cts(16, &e.ct);
  std::vector<const Plaintext*> pts(16, &e.pt);
  Ciphertext out;
  for (auto _ : state) e.ev.inner_product_plain(cts, pts, out);
}

void BM_EncryptZeroFlooded(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out;
  const size_t top = e.ctx->top_level();
  const int bits = std::min(100, int(e.ctx->level(top).log2_modulus) - 20);
  for (auto _ : state) e.encryptor.encrypt_zero_flooded(top, bits, out, e.prg);
}

void BM_ModSwitchToFirst(benchmark::State& state) {
  Env& e = env(arg_n(state));
  Ciphertext out;
  for (auto _ : state) e.ev.mod_switch_round_to(e.ct, 0, out);
}

#define PG_HE_BENCH(name) \
  BENCHMARK(name)->Arg(4096)->Arg(8192)->Arg(16384)->Unit(benchmark::kMicrosecond)
PG_HE_BENCH(BM_NttForward);
PG_HE_BENCH(BM_NttInverse);
PG_HE_BENCH(BM_Encode);
PG_HE_BENCH(BM_EncryptPk);
PG_HE_BENCH(BM_EncryptSym);
PG_HE_BENCH(BM_Decrypt);
PG_HE_BENCH(BM_Decode);
PG_HE_BENCH(BM_Add);
PG_HE_BENCH(BM_MulPlain);
PG_HE_BENCH(BM_MulPlainUncached);
PG_HE_BENCH(BM_MulRelin);
PG_HE_BENCH(BM_Rescale);
PG_HE_BENCH(BM_Rotate);
PG_HE_BENCH(BM_RotateHoisted16);
PG_HE_BENCH(BM_CiphertextBytes);
PG_HE_BENCH(BM_InnerProduct16);
PG_HE_BENCH(BM_EncryptZeroFlooded);
PG_HE_BENCH(BM_ModSwitchToFirst);
BENCHMARK(BM_MatVec128)->Arg(8192)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
