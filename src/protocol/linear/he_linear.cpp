#include "protocol/linear/he_linear.h"

#include <stdexcept>
#include <string>

#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/keys.h"
#include "he/serialization.h"
#include "protocol/linear/coeff_term.h"
#include "protocol/linear/slot_term.h"
#include "protocol/linear/term_codec.h"
#include "protocol/linear/term_setup.h"

namespace pg::protocol {
namespace {

constexpr uint32_t kKeysMagic = 0x4b484750;  // "PGHK"
constexpr uint8_t kKeysVersion = 1;

HeTermStats stats_of(const PlanSetup& ps, size_t k) {
  if (k >= ps.terms.size()) throw std::invalid_argument("HE stats: no such term");
  const TermSetup& s = ps.terms[k];
  const he::Context& ctx = ps.context(k);
  HeTermStats st;
  st.ring_degree = s.params.n;
  st.log2_q = s.params.log2_q();
  st.log2_q_reply = s.params.log2_q_reply();
  st.ct_pt_mults = s.counts.products;
  st.additions = s.counts.additions;
  st.rotations = s.counts.rotations;
  st.input_cts = s.counts.input_cts;
  st.output_cts = s.counts.output_cts;
  st.request_bytes = request_bytes(ctx, s.counts.input_cts);
  st.reply_bytes = s.coeff ? coeff_reply_bytes(s, ctx) : slot_reply_bytes(s, ctx);
  return st;
}

void check_term(const PlanSetup& ps, size_t k, const char* who) {
  if (k >= ps.terms.size()) {
    throw std::invalid_argument(std::string(who) + ": term " + std::to_string(k) +
                                " does not exist (the plan has " + std::to_string(ps.terms.size()) +
                                ")");
  }
}

}  // namespace

std::vector<HeTermRef> he_term_refs(const nn::Plan& plan) {
  std::vector<HeTermRef> refs;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (const auto* a = std::get_if<nn::AffineStep>(&plan.steps[i])) {
      for (size_t t = 0; t < a->he_terms.size(); ++t) refs.push_back({i, t});
    }
  }
  return refs;
}

// ---------------------------------------------------------------------------------------------
// Client

struct ClientContextKeys {
  he::SecretKey sk;
  he::PublicKey pk;
  he::GaloisKeys gk;
  std::unique_ptr<he::Encryptor> sym;
  std::unique_ptr<he::Decryptor> dec;
};

struct HeLinearClient::Impl {
  PlanSetup setup;
  std::vector<ClientContextKeys> keys;
};

HeLinearClient::HeLinearClient(const nn::Plan& architecture, HeOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->setup = PlanSetup::build(architecture, options);
  core::Prg prg = core::Prg::from_os();
  const auto& ctxs = impl_->setup.contexts;
  impl_->keys.resize(ctxs.size());
  for (size_t c = 0; c < ctxs.size(); ++c) {
    ClientContextKeys& k = impl_->keys[c];
    k.sk = he::SecretKey(ctxs[c], prg);
    const he::KeyGenerator kg(ctxs[c], k.sk);
    k.pk = kg.public_key(prg);
    if (!impl_->setup.rotations[c].empty()) {
      k.gk = kg.galois_keys(impl_->setup.rotations[c], false, prg);
    }
    k.sym = std::make_unique<he::Encryptor>(ctxs[c], k.sk);
    k.dec = std::make_unique<he::Decryptor>(ctxs[c], k.sk);
  }
}

HeLinearClient::~HeLinearClient() = default;
HeLinearClient::HeLinearClient(HeLinearClient&&) noexcept = default;
HeLinearClient& HeLinearClient::operator=(HeLinearClient&&) noexcept = default;

size_t HeLinearClient::num_terms() const {
  return impl_->setup.terms.size();
}

std::array<uint8_t, 32> HeLinearClient::setup_digest() const {
  return impl_->setup.digest();
}

core::Bytes HeLinearClient::public_material() const {
  core::ByteWriter w;
  w.put_u32(kKeysMagic);
  w.put_u8(kKeysVersion);
  w.put_u32(uint32_t(impl_->keys.size()));
  for (size_t c = 0; c < impl_->keys.size(); ++c) {
    const he::Context& ctx = *impl_->setup.contexts[c];
    w.put_blob(he::save_public_key(ctx, impl_->keys[c].pk));
    w.put_blob(impl_->setup.rotations[c].empty() ? core::Bytes{}
                                                 : he::save_galois_keys(ctx, impl_->keys[c].gk));
  }
  return w.take();
}

core::Bytes HeLinearClient::encrypt(size_t k, std::span<const uint64_t> r) const {
  const PlanSetup& ps = impl_->setup;
  check_term(ps, k, "HeLinearClient::encrypt");
  const TermSetup& s = ps.terms[k];
  const he::Encryptor& sym = *impl_->keys[s.context].sym;
  core::Prg prg = core::Prg::from_os();
  const auto& ctx = ps.contexts[s.context];
  core::ThreadPool* pool = ps.options.pool;
  return s.coeff ? coeff_encrypt(s, ctx, sym, uint32_t(k), r, prg, pool)
                 : slot_encrypt(s, ctx, sym, uint32_t(k), r, prg, pool);
}

core::Result<std::vector<uint64_t>> HeLinearClient::decrypt(size_t k,
                                                            std::span<const uint8_t> reply) const {
  const PlanSetup& ps = impl_->setup;
  check_term(ps, k, "HeLinearClient::decrypt");
  const TermSetup& s = ps.terms[k];
  const he::Decryptor& dec = *impl_->keys[s.context].dec;
  const auto& ctx = ps.contexts[s.context];
  core::ThreadPool* pool = ps.options.pool;
  return s.coeff ? coeff_decrypt(s, ctx, dec, uint32_t(k), reply, pool)
                 : slot_decrypt(s, ctx, dec, uint32_t(k), reply, pool);
}

HeTermStats HeLinearClient::stats(size_t k) const {
  return stats_of(impl_->setup, k);
}

// ---------------------------------------------------------------------------------------------
// The client's keys on the server

struct HeClientKeys::Impl {
  PlanSetup setup;
  std::vector<he::PublicKey> pk;
  std::vector<he::GaloisKeys> gk;
  std::vector<std::unique_ptr<he::Encryptor>> enc;
};

HeClientKeys::HeClientKeys(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HeClientKeys::~HeClientKeys() = default;
HeClientKeys::HeClientKeys(HeClientKeys&&) noexcept = default;
HeClientKeys& HeClientKeys::operator=(HeClientKeys&&) noexcept = default;

core::Result<HeClientKeys> HeClientKeys::parse(const nn::Plan& architecture, HeOptions options,
                                               std::span<const uint8_t> bytes) {
  using core::ErrorCode;
  auto impl = std::make_unique<Impl>();
  impl->setup = PlanSetup::build(architecture, options);
  const PlanSetup& ps = impl->setup;
  core::ByteReader r(bytes);
  PG_TRY_ASSIGN(uint32_t magic, r.get_u32());
  PG_TRY_ASSIGN(uint8_t version, r.get_u8());
  PG_TRY_ASSIGN(uint32_t count, r.get_u32());
  if (magic != kKeysMagic || version != kKeysVersion) {
    return core::make_error(ErrorCode::kMalformed, "not HE key material (magic or version)");
  }
  if (count != ps.contexts.size()) {
    return core::make_error(ErrorCode::kMismatch, "HE key material for another architecture");
  }
  for (size_t c = 0; c < count; ++c) {
    const he::Context& ctx = *ps.contexts[c];
    PG_TRY_ASSIGN(auto pk_bytes, r.get_blob(r.remaining()));
    PG_TRY_ASSIGN(he::PublicKey pk, he::load_public_key(ctx, pk_bytes));
    PG_TRY_ASSIGN(auto gk_bytes, r.get_blob(r.remaining()));
    he::GaloisKeys gk;
    if (!ps.rotations[c].empty()) {
      PG_TRY_ASSIGN(gk, he::load_galois_keys(ctx, gk_bytes));
      for (int64_t step : ps.rotations[c]) {
        if (!gk.has(ctx.galois_element(step))) {
          return core::make_error(ErrorCode::kMismatch, "HE key material lacks a rotation key");
        }
      }
    } else if (!gk_bytes.empty()) {
      return core::make_error(ErrorCode::kMalformed, "unexpected rotation keys");
    }
    impl->enc.push_back(std::make_unique<he::Encryptor>(ps.contexts[c], pk));
    impl->pk.push_back(std::move(pk));
    impl->gk.push_back(std::move(gk));
  }
  PG_TRY(r.expect_end());
  return HeClientKeys(std::move(impl));
}

// ---------------------------------------------------------------------------------------------
// Server

struct HeLinearServer::Impl {
  PlanSetup setup;
  std::vector<std::unique_ptr<CoeffTermServer>> coeff;
  std::vector<std::unique_ptr<SlotTermServer>> slot;
};

HeLinearServer::HeLinearServer(const nn::Plan& plan, HeOptions options)
    : impl_(std::make_unique<Impl>()) {
  if (!plan.has_weights()) throw std::invalid_argument("HeLinearServer: the plan has no weights");
  impl_->setup = PlanSetup::build(plan, options);
  const PlanSetup& ps = impl_->setup;
  size_t budget = options.kernel_cache_bytes;
  for (size_t k = 0; k < ps.terms.size(); ++k) {
    const TermSetup& s = ps.terms[k];
    const auto& w = std::get<nn::AffineStep>(plan.steps[s.ref.step]).he_terms[s.ref.term].weights;
    const auto& ctx = ps.contexts[s.context];
    if (s.coeff) {
      impl_->coeff.push_back(std::make_unique<CoeffTermServer>(s, ctx, w, budget, options.pool));
      impl_->slot.emplace_back();
    } else {
      impl_->slot.push_back(std::make_unique<SlotTermServer>(s, ctx, w, budget, options.pool));
      impl_->coeff.emplace_back();
    }
  }
}

HeLinearServer::~HeLinearServer() = default;
HeLinearServer::HeLinearServer(HeLinearServer&&) noexcept = default;
HeLinearServer& HeLinearServer::operator=(HeLinearServer&&) noexcept = default;

size_t HeLinearServer::num_terms() const {
  return impl_->setup.terms.size();
}

std::array<uint8_t, 32> HeLinearServer::setup_digest() const {
  return impl_->setup.digest();
}

core::Result<core::Bytes> HeLinearServer::respond(size_t k, std::span<const uint8_t> request,
                                                  const HeClientKeys& keys,
                                                  std::span<uint64_t> t_out, core::Prg& prg) const {
  const PlanSetup& ps = impl_->setup;
  check_term(ps, k, "HeLinearServer::respond");
  const HeClientKeys::Impl& ki = keys.impl();
  const size_t c = ps.terms[k].context;
  if (ki.setup.contexts.size() != ps.contexts.size() ||
      ki.setup.contexts[c]->id() != ps.contexts[c]->id()) {
    throw std::invalid_argument("HeLinearServer::respond: the keys belong to another architecture");
  }
  core::ThreadPool* pool = ps.options.pool;
  if (impl_->coeff[k]) {
    return impl_->coeff[k]->respond(uint32_t(k), request, *ki.enc[c], t_out, prg, pool);
  }
  return impl_->slot[k]->respond(uint32_t(k), request, *ki.enc[c], ki.gk[c], t_out, prg, pool,
                                 nullptr);
}

HeTermStats HeLinearServer::stats(size_t k) const {
  return stats_of(impl_->setup, k);
}

}  // namespace pg::protocol
