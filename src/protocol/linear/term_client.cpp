#include "protocol/linear/term_client.h"

#include <string>

#include "core/secure.h"
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
