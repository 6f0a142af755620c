// Fashion-MNIST from Debian's dataset-fashion-mnist (gzip-compressed IDX files), decoded once:
// the images through image_io's IDX decoder, the labels by a small IDX1 reader. Files are
// untrusted input: errors are Results naming the file.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "image_io.h"

namespace pg::app {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct Dataset {
  std::vector<Image> images;  // 1x28x28, pixels in [0, 1]
  std::vector<int> labels;    // 0..9
};

// The first min(limit, N) images and labels of a split ("t10k" = test, "train").
core::Result<Dataset> load_fashion_mnist(const std::string& split, size_t limit,
                                         const std::string& dir = kFashionMnistDir);

// Decoders of in-memory IDX bytes (`name` labels errors).
core::Result<std::vector<int>> decode_idx_labels(const std::vector<uint8_t>& bytes, size_t limit,
                                                 const std::string& name);
// Reads a whole file, gzip-compressed or not, of at most max_bytes.
core::Result<std::vector<uint8_t>> read_gzip_file(const std::string& path, size_t max_bytes);

}  // namespace pg::app
