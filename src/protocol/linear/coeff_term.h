// The coefficient-packed HE term (PROTOCOL.md §3 step 3, the required kernel): the client's
// request and decryption, and the server's reply, for both plaintext spaces of linear_params.h.
//
// Server, per output polynomial o (in parallel over o):
//   acc = Σ_t in[input_of(o, t)] · kernel(o, t)       one lazy inner product, no rotation
//   acc −= Enc(T)                                     kPow2: round(Q·t/2^ℓ); kCkks: Δ·(t + 2^ℓ·h)
//   acc += Enc_pk(0; F)                               flooding and re-randomisation
//   acc  = switch(acc, q_r)                           divide and round by the dropped primes
//   send c1 and c0 at the output coefficients, low drop_bits bits removed
// The kernel polynomials are NTT-transformed once per model while they fit the cache budget
// (HeOptions::kernel_cache_bytes, in output order), the rest on the fly per reply.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/prg.h"
#include "core/result.h"
#include "core/thread_pool.h"
#include "he/ciphertext.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "nn/he_cost.h"
#include "protocol/linear/term_setup.h"

namespace pg::protocol {

// Client side.
core::Bytes coeff_encrypt(const TermSetup& s, const he::ContextPtr& ctx, const he::Encryptor& sym,
                          uint32_t k, std::span<const uint64_t> r, core::Prg& prg,
                          core::ThreadPool* pool = nullptr);
core::Result<std::vector<uint64_t>> coeff_decrypt(const TermSetup& s, const he::ContextPtr& ctx,
                                                  const he::Decryptor& dec, uint32_t k,
                                                  std::span<const uint8_t> reply,
                                                  core::ThreadPool* pool = nullptr);
size_t coeff_reply_bytes(const TermSetup& s, const he::Context& ctx);

class CoeffTermServer {
 public:
  // `cache_budget` (bytes) is decreased by what the cached kernels take.
  CoeffTermServer(const TermSetup& s, he::ContextPtr ctx, std::span<const int64_t> weights,
                  size_t& cache_budget, core::ThreadPool* pool);

  // `performed` (optional) receives the operations actually executed.
  // Wipes the weights and the prepared plaintexts (the weights are the server's secret).
  ~CoeffTermServer();
  CoeffTermServer(const CoeffTermServer&) = delete;
  CoeffTermServer& operator=(const CoeffTermServer&) = delete;

  core::Result<core::Bytes> respond(uint32_t k, std::span<const uint8_t> request,
                                    const he::Encryptor& pk, std::span<uint64_t> t_out,
                                    core::Prg& prg, core::ThreadPool* pool,
                                    nn::HeOpCount* performed = nullptr) const;
  // How many output polynomials have their kernels prepared (the first ones).
  size_t cached() const { return cached_outputs_; }

 private:
  // The kernel plaintexts of output o (cached, or encoded into `tmp`).
  std::vector<const he::Plaintext*> kernels_of(size_t o, std::vector<he::Plaintext>& tmp) const;
  // Returns the number of ct–pt products it performed.
  size_t output(size_t o, const std::vector<he::Ciphertext>& in, const he::Encryptor& pk,
                std::span<uint64_t> t_out, core::Prg& prg, core::ByteWriter& w) const;

  const TermSetup* s_;
  he::ContextPtr ctx_;
  std::vector<int64_t> weights_;
  std::vector<size_t> first_;  // first_[o]: index of kernel (o, 0) in kernels_
  std::vector<he::Plaintext> kernels_;
  size_t cached_outputs_ = 0;
};

}  // namespace pg::protocol
