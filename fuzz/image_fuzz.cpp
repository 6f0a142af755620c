// Fuzzes the client's image decoders (PGM, PNG through libpng, IDX): any bytes must give an
// image or an error, never a crash, a hang or an oversized allocation.
#include <png.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <tuple>
#include <vector>

#include "image_io.h"

namespace {

// A small PNG written by libpng itself, so that mutations start past the signature and the
// chunk CRCs (random bytes almost never get there).
std::vector<uint8_t> png_of(int width, int height, png_uint_32 format) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = png_uint_32(width);
  png.height = png_uint_32(height);
  png.format = format;
  std::vector<uint8_t> px(PNG_IMAGE_SIZE(png));
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 37 + 11);
  png_alloc_size_t size = 0;
  std::vector<uint8_t> out;
  if (png_image_write_to_memory(&png, nullptr, &size, 0, px.data(), 0, nullptr)) {
    out.resize(size);
    if (!png_image_write_to_memory(&png, out.data(), &size, 0, px.data(), 0, nullptr)) size = 0;
  }
  if (size == 0) {
    std::fprintf(stderr, "image_fuzz: libpng could not write a seed: %s\n", png.message);
    std::abort();
  }
  out.resize(size);
  return out;
}

}  // namespace

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
  for (auto [w, h, format] : {std::tuple{4, 3, png_uint_32{PNG_FORMAT_GRAY}},
                              std::tuple{2, 2, png_uint_32{PNG_FORMAT_RGB}},
                              std::tuple{3, 1, png_uint_32{PNG_FORMAT_GA}}}) {
    out->push_back(png_of(w, h, format));
  }
}
