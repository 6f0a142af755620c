// Fuzzes the HE loaders. The first byte picks the loader (ciphertext, plaintext, parameters,
// public key, Galois keys, reply); the rest is the input. Every load must return a value or an
// error: never crash, hang, throw, or allocate beyond what the input can hold. A ciphertext
// that loads must serialise back to the same bytes (its encoding is canonical).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/assert.h"
#include "core/prg.h"
#include "he/ciphertext.h"
#include "he/coeff_encoder.h"
#include "he/encryptor.h"
#include "he/keys.h"
#include "he/reply.h"
#include "he/serialization.h"

namespace {

using namespace pg::he;

struct State {
  ContextPtr ctx = Context::create(ParamsLiteral::from_bits(2048, {27}, {27}));
  std::vector<uint32_t> coeffs{0, 5, 77, 2047};
};

State& state() {
  static State s;
  return s;
}

std::vector<uint8_t> tagged(uint8_t tag, const pg::core::Bytes& b) {
  std::vector<uint8_t> v(b.size() + 1);
  v[0] = tag;
  std::copy(b.begin(), b.end(), v.begin() + 1);
  return v;
}

}  // namespace

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  State& s = state();
  pg::core::Seed seed{};
  seed.fill(3);
  auto prg = pg::core::Prg::from_seed(seed);
  const SecretKey sk(s.ctx, prg);
  const KeyGenerator kg(s.ctx, sk);
  Plaintext pt;
  CoeffEncoder(s.ctx).encode_int(std::vector<int64_t>{1, -2, 3}, 0, pt);
  Ciphertext ct;
  Encryptor(s.ctx, sk).encrypt_symmetric(pt, ct, prg);
  out->push_back(tagged(0, save_ciphertext(*s.ctx, ct)));
  out->push_back(tagged(0, save_ciphertext(*s.ctx, ct, true)));
  out->push_back(tagged(1, save_plaintext(*s.ctx, pt)));
  out->push_back(tagged(2, save_params(s.ctx->params())));
  out->push_back(tagged(3, save_public_key(*s.ctx, kg.public_key(prg))));
  out->push_back(tagged(4, save_galois_keys(*s.ctx, kg.galois_keys({1}, false, prg))));
  out->push_back(tagged(5, save_reply(*s.ctx, ct, s.coeffs, 3)));
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  State& s = state();
  const std::span<const uint8_t> in(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto ct = load_ciphertext(*s.ctx, in);
      if (ct.ok()) {
        const auto again = save_ciphertext(*s.ctx, ct.value(), !ct.value().is_seeded());
        PG_ASSERT(again.size() == in.size() && std::equal(again.begin(), again.end(), in.begin()),
                  "a loaded ciphertext must re-serialise to its input");
      }
      break;
    }
    case 1:
      (void)load_plaintext(*s.ctx, in);
      break;
    case 2:
      (void)load_params(in);
      break;
    case 3:
      (void)load_public_key(*s.ctx, in);
      break;
    case 4:
      (void)load_galois_keys(*s.ctx, in);
      break;
    default:
      (void)load_reply(*s.ctx, in, s.coeffs, 3);
      break;
  }
  return 0;
}
