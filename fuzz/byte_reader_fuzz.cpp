// Fuzzes ByteReader: the first byte of each step picks a read; every read must either succeed
// within bounds or return an error, never crash or over-read.
#include <cstdint>
#include <vector>

#include "core/assert.h"
#include "core/bytes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pg::core::ByteReader r({data, size});
  for (int step = 0; step < 64 && !r.at_end(); ++step) {
    const size_t before = r.remaining();
    auto op = r.get_u8();
    if (!op.ok()) break;
    bool ok = true;
    switch (op.value() % 9) {
      case 0:
        ok = r.get_u16().ok();
        break;
      case 1:
        ok = r.get_u32().ok();
        break;
      case 2:
        ok = r.get_u64().ok();
        break;
      case 3:
        ok = r.get_varint().ok();
        break;
      case 4:
        ok = r.get_blob(1 << 20).ok();
        break;
      case 5:
        ok = r.get_string(64).ok();
        break;
      case 6:
        ok = r.get_u64_array(1 << 16).ok();
        break;
      case 7:
        ok = r.get_f64().ok();
        break;
      default:
        ok = r.get_raw(op.value() / 9).ok();
        break;
    }
    PG_ASSERT(r.remaining() < before, "a read consumed nothing");
    if (!ok) break;
  }
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  out->push_back({4, 3, 'a', 'b', 'c', 6, 1, 1, 0, 0, 0, 0, 0, 0, 0});
  out->push_back({3, 0xff, 0xff, 0x03, 2, 1, 2, 3, 4, 5, 6, 7, 8});
}
