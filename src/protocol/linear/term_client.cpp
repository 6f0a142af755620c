#include "protocol/linear/term_client.h"

#include <stdexcept>
#include <string>

#include "core/secure.h"
#include "protocol/linear/masked_value.h"
#include "protocol/linear/term_codec.h"

namespace pg::protocol {
namespace {

void run(core::ThreadPool* pool, size_t n, const std::function<void(size_t, size_t)>& fn) {
  pool ? pool->parallel_for(n, fn) : fn(0, n);
}

}  // namespace

core::Bytes encrypt_request(const he::Context& ctx, const he::Encryptor& sym, uint32_t k,
                            size_t count, const std::function<void(size_t, he::Plaintext&)>& encode,
                            core::Prg& prg, core::ThreadPool* pool) {
  std::vector<core::Seed> seeds(count);
  for (auto& s : seeds) s = prg.derive_seed();
  std::vector<he::Ciphertext> cts(count);
  run(pool, count, [&](size_t b, size_t e) {
    he::Plaintext pt;
    for (size_t i = b; i < e; ++i) {
      core::Prg sub = core::Prg::from_seed(seeds[i]);
      encode(i, pt);
      sym.encrypt_symmetric(pt, cts[i], sub);
    }
    pt.poly().wipe();
  });
  core::secure_zero(seeds.data(), seeds.size() * sizeof(core::Seed));
  return save_request(ctx, k, cts);
}

core::Bytes encrypt_mask(
    const he::Context& ctx, const he::Encryptor& sym, uint32_t k, std::span<const uint64_t> r,
    size_t in_size, int ell, size_t count, size_t width,
    const std::function<void(std::span<const uint64_t>, size_t, std::span<uint64_t>)>& pack,
    const std::function<void(std::span<const uint64_t>, he::Plaintext&)>& encode, core::Prg& prg,
    core::ThreadPool* pool) {
  if (r.size() != in_size) {
    throw std::invalid_argument("HE encrypt: term " + std::to_string(k) + " takes " +
                                std::to_string(in_size) + " mask values, got " +
                                std::to_string(r.size()));
  }
  const uint64_t mask = ring_mask(ell);
  std::vector<uint64_t> masked(r.begin(), r.end());
  for (auto& v : masked) v &= mask;
  core::Bytes out = encrypt_request(
      ctx, sym, k, count,
      [&](size_t i, he::Plaintext& pt) {
        std::vector<uint64_t> values(width);
        pack(masked, i, values);
        encode(values, pt);
        core::secure_zero(values.data(), values.size() * sizeof(uint64_t));
      },
      prg, pool);
  core::secure_zero(masked.data(), masked.size() * sizeof(uint64_t));
  return out;
}

core::Status decrypt_reply(const he::Context& ctx, const he::Decryptor& dec, uint32_t k,
                           std::span<const uint8_t> reply, const ReplyLayout& layout,
                           const std::function<void(size_t, const he::Plaintext&)>& consume,
                           core::ThreadPool* pool) {
  std::vector<size_t> offset(layout.count + 1, kReplyHeaderBytes);
  for (size_t o = 0; o < layout.count; ++o) {
    offset[o + 1] =
        offset[o] + compact_bytes(ctx, layout.level, layout.coeffs(o).size(), layout.drop_bits);
  }
  if (reply.size() != offset.back()) {
    return core::make_error(core::ErrorCode::kMalformed,
                            "HE reply of term " + std::to_string(k) + " has " +
                                std::to_string(reply.size()) + " bytes, expected " +
                                std::to_string(offset.back()));
  }
  core::ByteReader header(reply.first(kReplyHeaderBytes));
  PG_TRY(get_reply_header(header, k, layout.count));
  std::vector<core::Status> status(layout.count);
  run(pool, layout.count, [&](size_t b, size_t e) {
    he::Reply rep;
    he::Plaintext x;
    for (size_t o = b; o < e; ++o) {
      core::ByteReader r(reply.subspan(offset[o], offset[o + 1] - offset[o]));
      status[o] = get_compact(r, ctx, layout.level, layout.coeffs(o), layout.drop_bits, rep);
      if (!status[o].ok()) continue;
      dec.decrypt_reply(rep, x);
      consume(o, x);
    }
    x.poly().wipe();
  });
  for (const auto& s : status) PG_TRY(s);
  return {};
}

}  // namespace pg::protocol
