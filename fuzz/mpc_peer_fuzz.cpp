// The peer's bytes as the mpc layer parses them: base-OT group elements (both roles), the
// shaping wrapper's frame headers, and bounded lengths. Every input must end in success or a
// ChannelError, never a crash, a hang or another exception. (Garbled tables, labels, the OT
// extension's u matrix and permute bits are fixed-size and every value is well-formed, so
// there is nothing to parse in them.)
#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "mpc/base_ot.h"
#include "mpc/shaped_channel.h"

namespace {

using pg::mpc::Channel;
using pg::mpc::ChannelError;

// Serves the fuzz input as everything the peer sent; what this side sends is dropped.
class ReplayChannel final : public Channel {
 public:
  ReplayChannel(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  void send(const void*, size_t) override {}
  void recv(void* out, size_t n) override {
    if (n > size_ - pos_) {
      throw ChannelError(pg::core::ErrorCode::kNetwork, "replay: the peer closed the connection");
    }
    std::memcpy(out, data_ + pos_, n);
    pos_ += n;
  }
  void flush() override {}

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

pg::core::Seed fixed_seed() {
  pg::core::Seed s{};
  s.fill(0x17);
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ReplayChannel ch(data + 1, size - 1);
  auto prg = pg::core::Prg::from_seed(fixed_seed());
  try {
    switch (data[0] % 4) {
      case 0: {  // base OT sender: reads the receiver's points B_i
        pg::mpc::OtKeys k0, k1;
        pg::mpc::base_ot_send(ch, prg, 4, k0, k1);
        break;
      }
      case 1: {  // base OT receiver: reads the sender's point A
        const uint8_t choices = 0x0b;
        pg::mpc::OtKeys kc;
        pg::mpc::base_ot_recv(ch, prg, &choices, 4, kc);
        break;
      }
      case 2: {  // shaped frames: length and arrival-time checks
        pg::mpc::ShapedChannel shaped(ch, {});
        std::vector<uint8_t> buf(64);
        for (int i = 0; i < 8; ++i) shaped.recv(buf.data(), buf.size());
        break;
      }
      default: {
        const uint64_t n = ch.recv_u64_bounded(1 << 20, "a count");
        std::vector<uint8_t> buf(n);
        ch.recv(buf.data(), buf.size());
        break;
      }
    }
  } catch (const ChannelError&) {
    // the expected outcome for malformed or truncated input
  }
  return 0;
}

// Well-formed prefixes to mutate: valid ristretto255 points for the base-OT modes.
extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  if (sodium_init() < 0) return;
  for (uint8_t mode : {0, 1}) {
    std::vector<uint8_t> in = {mode};
    for (int i = 0; i < 4; ++i) {
      uint8_t p[crypto_core_ristretto255_BYTES];
      uint8_t h[crypto_core_ristretto255_HASHBYTES] = {static_cast<uint8_t>(i), mode};
      crypto_core_ristretto255_from_hash(p, h);
      in.insert(in.end(), p, p + sizeof(p));
    }
    out->push_back(in);
  }
  std::vector<uint8_t> shaped = {2, 64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  shaped.resize(shaped.size() + 64, 0x33);
  out->push_back(shaped);
}
