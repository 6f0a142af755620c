// The homomorphic step of preprocessing as the driver sees it (PROTOCOL.md §3, affine block):
// per HE term of the plan, the client turns a mask r into a request, the server answers with
// A_int·r − t (keeping t), and the client decodes c = A_int·r − t mod 2^ℓ.
//
// The product path always uses HeLinearClient / HeLinearServer (linear/he_linear.h), through
// make_he_client / make_he_server below. The interface exists so that the driver's own tests can
// also run it against an ideal functionality (tests/protocol/ideal_he.h) independently of the HE
// kernels: nothing outside tests may provide another implementation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/prg.h"
#include "core/result.h"
#include "nn/plan.h"
#include "protocol/linear/he_linear.h"

namespace pg::protocol {

// Client side, one per session. encrypt/decrypt are const and may run concurrently for
// different terms.
class HeClientBackend {
 public:
  virtual ~HeClientBackend() = default;
  virtual size_t num_terms() const = 0;
  // What both sides must derive alike from the architecture (PlanSetup::digest).
  virtual std::array<uint8_t, 32> setup_digest() const = 0;
  // Sent once per session in the handshake.
  virtual core::Bytes public_material() const = 0;
  virtual core::Bytes encrypt(size_t k, std::span<const uint64_t> r) const = 0;
  // The reply is untrusted bytes.
  virtual core::Result<std::vector<uint64_t>> decrypt(size_t k,
                                                      std::span<const uint8_t> reply) const = 0;
};

// The client's public material as the server holds it for one session.
class HeSessionKeys {
 public:
  virtual ~HeSessionKeys() = default;
};

// Server side, one per model, shared by all sessions: respond() is const and thread-safe.
class HeServerBackend {
 public:
  virtual ~HeServerBackend() = default;
  virtual size_t num_terms() const = 0;
  virtual std::array<uint8_t, 32> setup_digest() const = 0;
  virtual core::Result<std::unique_ptr<HeSessionKeys>> parse_keys(
      std::span<const uint8_t> public_material) const = 0;
  // The size of term k's request, exactly, as the architecture fixes it: the server refuses a
  // larger frame before it reads it.
  virtual size_t request_bytes(size_t k) const = 0;
  // t_out (the term's output size) receives the server's mask, uniform in Z_{2^ℓ}.
  virtual core::Result<core::Bytes> respond(size_t k, std::span<const uint8_t> request,
                                            const HeSessionKeys& keys, std::span<uint64_t> t_out,
                                            core::Prg& prg) const = 0;
};

// Factories: the client builds its backend from the architecture received in the handshake,
// the server from its plan with weights. They throw std::invalid_argument if the plan admits no
// secure parameter set.
using HeClientFactory =
    std::function<std::unique_ptr<HeClientBackend>(const nn::Plan& architecture, HeOptions)>;
using HeServerFactory =
    std::function<std::unique_ptr<HeServerBackend>(const nn::Plan& plan, HeOptions)>;

// The product implementations (HeLinearClient / HeLinearServer).
std::unique_ptr<HeClientBackend> make_he_client(const nn::Plan& architecture, HeOptions options);
std::unique_ptr<HeServerBackend> make_he_server(const nn::Plan& plan, HeOptions options);

}  // namespace pg::protocol
