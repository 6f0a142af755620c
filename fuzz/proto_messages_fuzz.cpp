// Fuzzes the decoders of the session messages (protocol/messages.h) and the frame header check
// (protocol/wire.h). The first byte picks the decoder; the rest is its payload.
#include <array>
#include <cstdint>
#include <vector>

#include "protocol/messages.h"
#include "protocol/wire.h"

using namespace pg::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::span<const uint8_t> body(data + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      (void)decode_hello(body);
      break;
    case 1:
      (void)decode_welcome(body);
      break;
    case 2:
      (void)decode_prep_part(body);
      break;
    case 3:
      (void)decode_set_id(body);
      break;
    case 4:
      if (body.size() >= 2) (void)decode_input(body.subspan(2), body[0] % 64, 1 + body[1] % 64);
      break;
    case 5:
      if (body.size() >= 2) {
        pg::core::ByteReader r(body.subspan(2));
        (void)get_ring_vector(r, body[0], 1 + body[1] % 64, "fuzz");
      }
      break;
    default:
      if (body.size() >= kFrameHeader) {
        const Accept accepted[] = {{MsgType::kInput, 100}, {MsgType::kBye, 0}};
        (void)decode_header_any(std::span<const uint8_t, kFrameHeader>(body.data(), kFrameHeader),
                                accepted);
      }
  }
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  auto with = [&](uint8_t sel, const pg::core::Bytes& b) {
    std::vector<uint8_t> v{sel};
    v.insert(v.end(), b.begin(), b.end());
    out->push_back(v);
  };
  Hello h;
  h.client_version = "0.1.0";
  h.pool = 3;
  with(0, encode_hello(h));
  h.role = HelloRole::kJoin;
  h.session_id = 7;
  with(0, encode_hello(h));
  Welcome w;
  w.architecture = {1, 2, 3};
  with(1, encode_welcome(w));
  with(2, encode_prep_part({3, 1, {9, 9, 9}}));
  with(3, encode_set_id(300));
  InputMsg m{5, OutputMode::kLabel, {1, 2, 3, 4}};
  pg::core::Bytes in = encode_input(m, 31);
  in.insert(in.begin(), {uint8_t(4), uint8_t(30)});  // 4 elements, ℓ = 31
  with(4, in);
  const auto header = encode_header(MsgType::kInput, 50);
  with(6, pg::core::Bytes(header.begin(), header.end()));
}
