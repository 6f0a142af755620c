// The homomorphic affine terms of a plan (PROTOCOL.md §3 "Affine block"), as the protocol driver
// sees them: bytes in, bytes out, one request and one reply per HE term and preprocessing set.
//
//   client:  r (mask of the term's input)  ──encrypt──▶ request ──▶ server
//   server:  request ──respond(weights, client's public key)──▶ reply, t ──▶ client
//   client:  reply ──decrypt──▶ c = A_int·r − t mod 2^ℓ   (exact, every element)
//
// Terms are numbered in plan order (affine steps in execution order, then their he_terms in
// order); he_term_refs() gives the mapping. Both parties derive the same per-term HE setup
// (ring degree, primes, packing, scheme) from the plan's architecture alone, so nothing about
// the setup travels besides the architecture hash checked at the handshake.
//
// Thread safety: HeLinearServer is built once per model and shared by all sessions; respond()
// is const and may run concurrently for different sessions and terms. HeLinearClient is owned
// by one session; encrypt()/decrypt() are const and may run concurrently for different terms.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/prg.h"
#include "core/result.h"
#include "nn/plan.h"

namespace pg::core {
class ThreadPool;
}

namespace pg::protocol {

// Which plaintext space the term runs in (linear_params.h derives the parameters of each).
//   kAuto:  the faster of the two for the term by the fitted cost model (the default; decided
//           from the architecture, so both parties agree). In practice kPow2 for ℓ ≤ 63 and
//           kCkks for ℓ = 64.
//   kPow2:  plaintext modulus 2^ℓ (BFV-style scale Q/2^ℓ): the client decrypts A·r − t mod
//           2^ℓ directly, and t alone hides A·r perfectly. ℓ ≤ 63.
//   kCkks:  CKKS coefficient encoding at scale Δ, with the statistical mask T = t + 2^ℓ·h of
//           PROTOCOL.md §3 step 3 (h hides A·r − t to 2^-σ' per value).
// The slot packing always uses the statistical mask (with integer batching modulo a product of
// NTT primes, so that shares stay exact); kPow2 with kSlot is rejected (Z_{2^ℓ} has no slots).
enum class HeScheme : uint8_t { kAuto, kPow2, kCkks };
// Which packing: the coefficient encoding (the default, no rotations) or the slot-encoded
// GAZELLE baseline (diagonals and rotations), kept for comparison.
enum class HePacking : uint8_t { kCoefficient, kSlot };

struct HeOptions {
  HeScheme scheme = HeScheme::kAuto;
  HePacking packing = HePacking::kCoefficient;
  core::ThreadPool* pool = nullptr;  // nullptr: run on the calling thread
  // Server: weight plaintexts are NTT-transformed once per model while their total size stays
  // within this budget (shared by all terms, in plan order); the rest are encoded per reply.
  size_t kernel_cache_bytes = size_t{4} << 30;
};

struct HeTermRef {
  size_t step = 0;  // index into plan.steps (an AffineStep)
  size_t term = 0;  // index into that step's he_terms
};
std::vector<HeTermRef> he_term_refs(const nn::Plan& plan);

// Per-term counters for the benchmarks and the estimator check (nn/he_cost.h): the ring
// degree, the bit sizes of Q and of the reply modulus, the operations the server performs, the
// ciphertext counts, and the exact request and reply sizes.
struct HeTermStats {
  size_t ring_degree = 0;
  int log2_q = 0, log2_q_reply = 0;
  uint64_t ct_pt_mults = 0, additions = 0, rotations = 0;
  uint64_t input_cts = 0, output_cts = 0;
  uint64_t request_bytes = 0, reply_bytes = 0;
};

class HeLinearClient {
 public:
  // Draws fresh secret keys (CSPRNG) for every parameter set the architecture needs.
  // Throws std::invalid_argument if a term admits no 128-bit-secure exact parameter set.
  HeLinearClient(const nn::Plan& architecture, HeOptions options);
  ~HeLinearClient();
  HeLinearClient(HeLinearClient&&) noexcept;
  HeLinearClient& operator=(HeLinearClient&&) noexcept;

  size_t num_terms() const;
  std::array<uint8_t, 32> setup_digest() const;  // PlanSetup::digest
  // Sent once per session in the handshake: the public keys (seeded) the server needs to
  // re-randomise its replies (and, for the slot baseline, Galois keys).
  core::Bytes public_material() const;

  // The request of term k for a mask r of its input tensor (r.size() = input tensor size,
  // values taken mod 2^ℓ). Symmetric, seeded encryption: c0 and a 32-byte seed per ciphertext.
  core::Bytes encrypt(size_t k, std::span<const uint64_t> r) const;
  // c = A_int·r − t mod 2^ℓ for term k (output tensor size). The reply is untrusted bytes.
  core::Result<std::vector<uint64_t>> decrypt(size_t k, std::span<const uint8_t> reply) const;

  HeTermStats stats(size_t k) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The client's public material as the server holds it for one session.
class HeClientKeys {
 public:
  // Parses and validates untrusted bytes against the architecture's parameter sets.
  static core::Result<HeClientKeys> parse(const nn::Plan& architecture, HeOptions options,
                                          std::span<const uint8_t> bytes);
  ~HeClientKeys();
  HeClientKeys(HeClientKeys&&) noexcept;
  HeClientKeys& operator=(HeClientKeys&&) noexcept;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  explicit HeClientKeys(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class HeLinearServer {
 public:
  // Prepares every term's weight plaintexts once (plan with weights).
  HeLinearServer(const nn::Plan& plan, HeOptions options);
  ~HeLinearServer();
  HeLinearServer(HeLinearServer&&) noexcept;
  HeLinearServer& operator=(HeLinearServer&&) noexcept;

  size_t num_terms() const;
  std::array<uint8_t, 32> setup_digest() const;  // PlanSetup::digest
  // The reply to term k's request (untrusted bytes): A_int·r − T homomorphically, flooded with
  // a fresh public-key encryption of zero, switched to the smallest modulus that decrypts
  // exactly, keeping only what the client decrypts. t_out (output tensor size) receives the
  // server's mask t for this term, uniform in Z_{2^ℓ}; prg is the session's CSPRNG.
  core::Result<core::Bytes> respond(size_t k, std::span<const uint8_t> request,
                                    const HeClientKeys& keys, std::span<uint64_t> t_out,
                                    core::Prg& prg) const;

  HeTermStats stats(size_t k) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pg::protocol
