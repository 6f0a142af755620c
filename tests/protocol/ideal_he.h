// TESTS ONLY. An ideal functionality for the homomorphic step of preprocessing: the "request"
// carries the mask r in the clear and the server answers with A_int·r − t in the clear. It is
// exactly what the HE block must deliver (protocol/he_backend.h) and hides nothing, so that the
// driver (sessions, pools, masks, garbled circuits, wire) can be tested on its own, and faster
// than with real HE. The product path never uses it.
#pragma once

#include <memory>
#include <string>

#include "core/bytes.h"
#include "nn/fixed_point.h"
#include "protocol/he_backend.h"
#include "protocol/messages.h"
#include "protocol/schedule.h"

namespace pg::protocol::testing {

inline const std::string kIdealKey = "ideal-he-public-material";

class IdealHeClient final : public HeClientBackend {
 public:
  explicit IdealHeClient(const nn::Plan& architecture)
      : schedule_(Schedule::make(architecture).value()) {}
  size_t num_terms() const override { return schedule_.he_terms.size(); }
  std::array<uint8_t, 32> setup_digest() const override { return {0x1d}; }  // ideal: no params
  core::Bytes public_material() const override { return {kIdealKey.begin(), kIdealKey.end()}; }
  core::Bytes encrypt(size_t k, std::span<const uint64_t> r) const override {
    core::ByteWriter w;
    put_ring_vector(w, r, schedule_.ell());
    (void)k;
    return w.take();
  }
  core::Result<std::vector<uint64_t>> decrypt(size_t k,
                                              std::span<const uint8_t> reply) const override {
    const size_t n = schedule_.term(k).geometry.out_size();
    core::ByteReader r(reply);
    PG_TRY_ASSIGN(auto c, get_ring_vector(r, n, schedule_.ell(), "ideal reply"));
    PG_TRY(r.expect_end());
    return c;
  }

 private:
  Schedule schedule_;
};

class IdealKeys final : public HeSessionKeys {};

class IdealHeServer final : public HeServerBackend {
 public:
  explicit IdealHeServer(const nn::Plan& plan)
      : plan_(plan), schedule_(Schedule::make(plan).value()) {}
  size_t num_terms() const override { return schedule_.he_terms.size(); }
  std::array<uint8_t, 32> setup_digest() const override { return {0x1d}; }  // ideal: no params
  core::Result<std::unique_ptr<HeSessionKeys>> parse_keys(
      std::span<const uint8_t> material) const override {
    if (std::string(material.begin(), material.end()) != kIdealKey) {
      return core::make_error(core::ErrorCode::kMalformed, "not the ideal backend's key");
    }
    return std::unique_ptr<HeSessionKeys>(new IdealKeys());
  }
  size_t request_bytes(size_t k) const override {
    const auto ref = schedule_.he_terms.at(k);
    const auto& term = std::get<nn::AffineStep>(plan_.steps[ref.step]).he_terms[ref.term];
    return 16 + 8 * term.geometry.in_size();  // a count and at most 8 bytes per ring element
  }
  core::Result<core::Bytes> respond(size_t k, std::span<const uint8_t> request,
                                    const HeSessionKeys&, std::span<uint64_t> t_out,
                                    core::Prg& prg) const override {
    const auto ref = schedule_.he_terms.at(k);
    const auto& term = std::get<nn::AffineStep>(plan_.steps[ref.step]).he_terms[ref.term];
    core::ByteReader r(request);
    PG_TRY_ASSIGN(auto mask,
                  get_ring_vector(r, term.geometry.in_size(), plan_.ell, "ideal request"));
    PG_TRY(r.expect_end());
    std::vector<uint64_t> y(term.geometry.out_size());
    nn::apply_he_term(term, mask, y);
    const auto t = random_shares(prg, y.size(), plan_.ell);
    const uint64_t m = nn::ring_mask(plan_.ell);
    for (size_t i = 0; i < y.size(); ++i) {
      t_out[i] = t[i];
      y[i] = (y[i] - t[i]) & m;
    }
    core::ByteWriter w;
    put_ring_vector(w, y, plan_.ell);
    return w.take();
  }

 private:
  nn::Plan plan_;
  Schedule schedule_;
};

inline HeClientFactory ideal_client_factory() {
  return [](const nn::Plan& arch, HeOptions) { return std::make_unique<IdealHeClient>(arch); };
}
inline HeServerFactory ideal_server_factory() {
  return [](const nn::Plan& plan, HeOptions) { return std::make_unique<IdealHeServer>(plan); };
}

}  // namespace pg::protocol::testing
