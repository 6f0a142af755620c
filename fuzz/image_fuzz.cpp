// Fuzzes the client's image decoders (PGM, PNG through libpng, IDX): any bytes must give an
// image or an error, never a crash, a hang or an oversized allocation.
#include <cstdint>
#include <vector>

#include "image_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  (void)pg::app::decode_pgm(bytes, "fuzz");
  (void)pg::app::decode_png(bytes, "fuzz");
  (void)pg::app::decode_idx_image(bytes, size % 4, "fuzz");
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  const std::string pgm = "P5\n2 2\n255\n\x01\x02\x03\x04";
  out->emplace_back(pgm.begin(), pgm.end());
  const std::string ascii = "P2 2 1 9 1 9";
  out->emplace_back(ascii.begin(), ascii.end());
  std::vector<uint8_t> idx = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2};
  for (int i = 0; i < 8; ++i) idx.push_back(uint8_t(i));
  out->push_back(idx);
}
