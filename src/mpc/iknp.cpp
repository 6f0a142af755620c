#include "mpc/iknp.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "core/secure.h"
#include "mpc/base_ot.h"
#include "mpc/transpose.h"

namespace pg::mpc {
namespace {

Block ot_tweak(uint64_t j) {
  return make_block(1, j);  // high word 1: the OT domain of the TCCR
}

// Bit i of Δ (as a little-endian 128-bit integer), as an all-ones/zero mask.
Block delta_bit_mask(Block delta, size_t i) {
  const uint64_t word = i < 64 ? block_low(delta) : block_high(delta);
  return bit_mask(word >> (i % 64));
}

// Transposes the 128 rows of one batch (row i at rows + i · row_blocks blocks) and writes the
// first m columns to out; a partial last tile goes through a scratch tile.
void transpose_batch(const SecretBlocks& rows, size_t row_blocks, size_t m, Block* out) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(rows.data());
  const size_t row_stride = row_blocks * sizeof(Block);
  const size_t full = m / 128;
  transpose_128(bytes, row_stride, full, out);
  if (m % 128 != 0) {
    std::array<Block, 128> tile;
    transpose_128(bytes + 16 * full, row_stride, 1, tile.data());
    std::copy(tile.begin(), tile.begin() + static_cast<ptrdiff_t>(m % 128), out + 128 * full);
    core::secure_zero(tile.data(), sizeof(tile));
  }
}

// One batch of the OT run starting at `off`: m OTs, rows of row_blocks blocks (m rounded up to
// whole 128-column tiles); sizes the row and u matrices.
size_t start_batch(size_t n, size_t off, SecretBlocks& rows, SecretBlocks& u, size_t& row_blocks) {
  const size_t m = std::min(kIknpBatch, n - off);
  row_blocks = (m + 127) / 128;
  rows.resize(kIknpBaseOts * row_blocks);
  u.resize(kIknpBaseOts * row_blocks);
  return m;
}

void require_ready(bool ready, const char* who) {
  if (!ready) throw std::invalid_argument(std::string(who) + ": setup() has not run");
}

void hash_pads(const Block* in, Block xor_in, Block* out, size_t n, uint64_t counter) {
  constexpr size_t kChunk = 64;
  std::array<Block, kChunk> x;
  std::array<Block, kChunk> tw;
  for (size_t off = 0; off < n; off += kChunk) {
    const size_t m = std::min(kChunk, n - off);
    for (size_t j = 0; j < m; ++j) {
      x[j] = in[off + j] ^ xor_in;
      tw[j] = ot_tweak(counter + off + j);
    }
    fixed_tccr().hash(x.data(), tw.data(), out + off, m);
  }
  core::secure_zero(x.data(), sizeof(x));
}

}  // namespace

IknpSender::IknpSender(Block delta) : delta_(delta) {}

IknpSender::~IknpSender() {
  core::secure_zero(&delta_, sizeof(delta_));
}

void IknpSender::setup(Channel& ch, core::Prg& prg) {
  std::array<uint8_t, 16> choices;
  std::memcpy(choices.data(), &delta_, 16);
  OtKeys keys;
  base_ot_recv(ch, prg, choices.data(), kIknpBaseOts, keys);
  core::secure_zero(choices.data(), choices.size());
  streams_.clear();
  streams_.reserve(kIknpBaseOts);
  for (const auto& k : keys) streams_.emplace_back(k);
}

void IknpSender::send_cot(Channel& ch, Block* q, size_t n) {
  require_ready(ready(), "IknpSender");
  SecretBlocks rows;
  SecretBlocks u;
  for (size_t off = 0; off < n; off += kIknpBatch) {
    size_t row_blocks = 0;
    const size_t m = start_batch(n, off, rows, u, row_blocks);
    ch.recv_blocks(u.data(), u.size());
    for (size_t i = 0; i < kIknpBaseOts; ++i) {
      Block* row = rows.data() + i * row_blocks;
      const Block* urow = u.data() + i * row_blocks;
      streams_[i].fill(row, row_blocks);
      const Block mask = delta_bit_mask(delta_, i);
      for (size_t k = 0; k < row_blocks; ++k) row[k] ^= urow[k] & mask;
    }
    transpose_batch(rows, row_blocks, m, q + off);
  }
}

void IknpSender::send_rot(Channel& ch, Block* m0, Block* m1, size_t n) {
  send_cot(ch, m0, n);
  hash_pads(m0, delta_, m1, n, rot_counter_);
  hash_pads(m0, zero_block(), m0, n, rot_counter_);
  rot_counter_ += n;
}

void IknpSender::send_chosen(Channel& ch, const Block* x0, const Block* x1, size_t n) {
  SecretBlocks p0(n);
  SecretBlocks p1(n);
  send_rot(ch, p0.data(), p1.data(), n);
  std::vector<Block> y(2 * n);
  for (size_t j = 0; j < n; ++j) {
    y[2 * j] = x0[j] ^ p0[j];
    y[2 * j + 1] = x1[j] ^ p1[j];
  }
  ch.send_blocks(y.data(), y.size());
  ch.flush();
}

void IknpReceiver::setup(Channel& ch, core::Prg& prg) {
  OtKeys k0;
  OtKeys k1;
  base_ot_send(ch, prg, kIknpBaseOts, k0, k1);
  streams0_.clear();
  streams1_.clear();
  streams0_.reserve(kIknpBaseOts);
  streams1_.reserve(kIknpBaseOts);
  for (size_t i = 0; i < kIknpBaseOts; ++i) {
    streams0_.emplace_back(k0[i]);
    streams1_.emplace_back(k1[i]);
  }
}

void IknpReceiver::recv_cot(Channel& ch, const uint8_t* choices, Block* t, size_t n) {
  require_ready(ready(), "IknpReceiver");
  SecretBlocks rows;
  SecretBlocks u;
  SecretBlocks r;
  for (size_t off = 0; off < n; off += kIknpBatch) {
    size_t row_blocks = 0;
    const size_t m = start_batch(n, off, rows, u, row_blocks);
    r.assign(row_blocks, zero_block());
    // off is a multiple of the batch size, so the batch's choice bits start on a byte.
    auto* rbytes = reinterpret_cast<uint8_t*>(r.data());
    std::memcpy(rbytes, choices + off / 8, bit_bytes(m));
    if (m % 8 != 0) rbytes[m / 8] &= static_cast<uint8_t>((1u << (m % 8)) - 1);
    for (size_t i = 0; i < kIknpBaseOts; ++i) {
      Block* row = rows.data() + i * row_blocks;
      Block* urow = u.data() + i * row_blocks;
      streams0_[i].fill(row, row_blocks);
      streams1_[i].fill(urow, row_blocks);
      for (size_t k = 0; k < row_blocks; ++k) urow[k] ^= row[k] ^ r[k];
    }
    ch.send_blocks(u.data(), u.size());
    transpose_batch(rows, row_blocks, m, t + off);
  }
  ch.flush();
}

void IknpReceiver::recv_rot(Channel& ch, const uint8_t* choices, Block* m, size_t n) {
  recv_cot(ch, choices, m, n);
  hash_pads(m, zero_block(), m, n, rot_counter_);
  rot_counter_ += n;
}

void IknpReceiver::recv_chosen(Channel& ch, const uint8_t* choices, Block* x, size_t n) {
  recv_rot(ch, choices, x, n);
  std::vector<Block> y(2 * n);
  ch.recv_blocks(y.data(), y.size());
  for (size_t j = 0; j < n; ++j) {
    const Block take1 = bit_mask(get_bit(choices, j));
    x[j] ^= y[2 * j] ^ (take1 & (y[2 * j] ^ y[2 * j + 1]));
  }
}

}  // namespace pg::mpc
