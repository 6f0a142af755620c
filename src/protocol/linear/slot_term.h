// The slot-packed HE term: the GAZELLE-style baseline of nn/he_cost.h (b), on the same engine,
// with integer batching (batch_encoder.h) so that its shares are exact like the coefficient
// kernel's. The server performs exactly the operations of SlotLayout::count() and reports what
// it performed; then, per output ciphertext, subtracts Δ·T on every slot, floods, switches to
// the reply modulus and sends c0 and c1 whole (every slot is decoded).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/prg.h"
#include "core/result.h"
#include "core/thread_pool.h"
#include "he/decryptor.h"
#include "he/encryptor.h"
#include "he/evaluator.h"
#include "he/keys.h"
#include "nn/he_cost.h"
#include "protocol/linear/batch_encoder.h"
#include "protocol/linear/term_setup.h"

namespace pg::protocol {

core::Bytes slot_encrypt(const TermSetup& s, const he::ContextPtr& ctx, const he::Encryptor& sym,
                         uint32_t k, std::span<const uint64_t> r, core::Prg& prg,
                         core::ThreadPool* pool = nullptr);
core::Result<std::vector<uint64_t>> slot_decrypt(const TermSetup& s, const he::ContextPtr& ctx,
                                                 const he::Decryptor& dec, uint32_t k,
                                                 std::span<const uint8_t> reply,
                                                 core::ThreadPool* pool = nullptr);
size_t slot_reply_bytes(const TermSetup& s, const he::Context& ctx);

class SlotTermServer {
 public:
  SlotTermServer(const TermSetup& s, he::ContextPtr ctx, std::span<const int64_t> weights,
                 size_t& cache_budget, core::ThreadPool* pool);

  // `performed` (optional) receives the operations actually executed.
  // Wipes the weights and the prepared plaintexts (the weights are the server's secret).
  ~SlotTermServer();
  SlotTermServer(const SlotTermServer&) = delete;
  SlotTermServer& operator=(const SlotTermServer&) = delete;

  core::Result<core::Bytes> respond(uint32_t k, std::span<const uint8_t> request,
                                    const he::Encryptor& pk, const he::GaloisKeys& gk,
                                    std::span<uint64_t> t_out, core::Prg& prg,
                                    core::ThreadPool* pool, nn::HeOpCount* performed) const;
  // How many weight plaintexts are prepared (the first ones in weight order).
  size_t cached() const { return cache_.size(); }

 private:
  struct Counter {
    std::atomic<uint64_t> mults{0}, adds{0}, rots{0};
  };
  size_t weight_pts() const;
  void weight_pt(size_t idx, he::Plaintext& out) const;  // idx: see weight_index
  size_t weight_index(size_t a, size_t b, size_t c) const;
  const he::Plaintext& weight(size_t idx, he::Plaintext& tmp) const;
  void rotate(const he::Evaluator& ev, he::Ciphertext& a, int64_t steps, const he::GaloisKeys& gk,
              Counter& cnt, he::Ciphertext& out) const;
  void sum_products(const he::Evaluator& ev, const std::vector<const he::Ciphertext*>& cts,
                    const std::vector<size_t>& pts, Counter& cnt, he::Ciphertext& out) const;
  std::vector<std::vector<he::Ciphertext>> rotate_inputs(std::vector<he::Ciphertext>& in,
                                                         const he::GaloisKeys& gk, Counter& cnt,
                                                         core::ThreadPool* pool) const;
  void conv_output(size_t o, const std::vector<std::vector<he::Ciphertext>>& rot,
                   const he::GaloisKeys& gk, Counter& cnt, he::Ciphertext& out) const;
  void dense_output(size_t o, const std::vector<std::vector<he::Ciphertext>>& rot,
                    const he::GaloisKeys& gk, Counter& cnt, he::Ciphertext& out) const;
  void finish(size_t o, he::Ciphertext& acc, const he::Encryptor& pk, std::span<uint64_t> t_out,
              core::Prg& prg, core::ByteWriter& w) const;

  const TermSetup* s_;
  he::ContextPtr ctx_;
  BatchEncoder enc_;
  std::vector<int64_t> weights_;
  std::vector<he::Plaintext> cache_;
  he::Plaintext segment_mask_;                                // 1 on segment 0 (conv, cn > 1)
  std::vector<std::vector<uint32_t>> out_slots_, out_index_;  // per output ct
};

}  // namespace pg::protocol
