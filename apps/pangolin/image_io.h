// Loading the client's image: binary or ASCII PGM, PNG (through libpng), or one image of an IDX
// file (Fashion-MNIST's format, gzip-compressed or not). Pixels become doubles in [0, 1], CHW.
// Every file is untrusted input: errors are Results, sizes are checked before allocation.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"

namespace pg::app {

struct Image {
  int channels = 0, height = 0, width = 0;
  std::vector<double> pixels;  // [channel][row][column], in [0, 1]
};

// Largest accepted side, to bound memory for a hostile header.
inline constexpr int kMaxImageSide = 4096;

// Decoders of in-memory bytes (`name` only labels error messages).
core::Result<Image> decode_pgm(const std::vector<uint8_t>& bytes, const std::string& name);
core::Result<Image> decode_png(const std::vector<uint8_t>& bytes, const std::string& name);
core::Result<Image> decode_idx_image(const std::vector<uint8_t>& bytes, size_t index,
                                     const std::string& name);

core::Result<Image> load_pgm(const std::string& path);
core::Result<Image> load_png(const std::string& path);
// Image `index` of an IDX3 uint8 file (e.g. t10k-images-idx3-ubyte[.gz]).
core::Result<Image> load_idx_image(const std::string& path, size_t index);
// Label `index` of an IDX1 uint8 file.
core::Result<int> load_idx_label(const std::string& path, size_t index);

// Dispatches on the name: "FILE.png", "FILE.pgm"/".pnm", or "FILE.idx[.gz]:INDEX" / any IDX
// file followed by ":INDEX".
core::Result<Image> load_image(const std::string& spec);

// Checks the image against the model's input shape, with a message naming both.
core::Status check_image_shape(const Image& img, int channels, int height, int width);

}  // namespace pg::app
