// The client's side of one HE term, shared by both packings: encrypt every input polynomial
// into a request, and decrypt every ciphertext of a reply, in parallel over ciphertexts when a
// pool is given (each ciphertext gets its own sub-PRG, derived in order from the caller's).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/bytes.h"
#include "core/prg.h"
#include "core/result.h"
#include "core/thread_pool.h"
#include "he/ciphertext.h"
#include "he/decryptor.h"
#include "he/encryptor.h"

namespace pg::protocol {

// encode(i, pt): the plaintext of input ciphertext i (NTT, top level).
core::Bytes encrypt_request(const he::Context& ctx, const he::Encryptor& sym, uint32_t k,
                            size_t count, const std::function<void(size_t, he::Plaintext&)>& encode,
                            core::Prg& prg, core::ThreadPool* pool);

// The request for mask r of a term with `in_size` inputs in Z_{2^ell}: checks r's size (throws
// std::invalid_argument), reduces it, and encrypts `count` inputs of `width` values each, laid
// out by pack(r, i, values) and encoded by encode(values, pt).
core::Bytes encrypt_mask(
    const he::Context& ctx, const he::Encryptor& sym, uint32_t k, std::span<const uint64_t> r,
    size_t in_size, int ell, size_t count, size_t width,
    const std::function<void(std::span<const uint64_t>, size_t, std::span<uint64_t>)>& pack,
    const std::function<void(std::span<const uint64_t>, he::Plaintext&)>& encode, core::Prg& prg,
    core::ThreadPool* pool);

// The reply layout: per output ciphertext, the c0 coefficients it carries.
struct ReplyLayout {
  size_t level = 0;
  int drop_bits = 0;
  std::function<std::span<const uint32_t>(size_t)> coeffs;
  size_t count = 0;
};

// Checks the header and the length, then calls consume(o, x) with each ciphertext's decryption
// (coefficient domain at the reply level). consume must be safe to call concurrently for
// different o.
core::Status decrypt_reply(const he::Context& ctx, const he::Decryptor& dec, uint32_t k,
                           std::span<const uint8_t> reply, const ReplyLayout& layout,
                           const std::function<void(size_t, const he::Plaintext&)>& consume,
                           core::ThreadPool* pool);

}  // namespace pg::protocol
