#include "dataset.h"

#include <zlib.h>

#include <algorithm>
#include <memory>

namespace pg::app {

using core::ErrorCode;
using core::make_error;
using core::Result;

Result<std::vector<uint8_t>> read_gzip_file(const std::string& path, size_t max_bytes) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  if (!f) return make_error(ErrorCode::kIo, "cannot open '" + path + "'");
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(size_t(1) << 20);
  for (int got; (got = gzread(f.get(), chunk.data(), unsigned(chunk.size()))) != 0;) {
    if (got < 0) return make_error(ErrorCode::kMalformed, "'" + path + "' is corrupt");
    if (out.size() + size_t(got) > max_bytes) {
      return make_error(ErrorCode::kTooLarge, "'" + path + "' is too large");
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + got);
  }
  return out;
}

Result<std::vector<int>> decode_idx_labels(const std::vector<uint8_t>& d, size_t limit,
                                           const std::string& name) {
  auto be32 = [&](size_t at) {
    return (uint32_t(d[at]) << 24) | (uint32_t(d[at + 1]) << 16) | (uint32_t(d[at + 2]) << 8) |
           d[at + 3];
  };
  if (d.size() < 8 || be32(0) != 0x801) {
    return make_error(ErrorCode::kMalformed,
                      "'" + name + "' is not an IDX1 label file (magic 0x00000801)");
  }
  const size_t n = be32(4);
  if (n + 8 > d.size()) {
    return make_error(ErrorCode::kTruncated, "'" + name + "' holds fewer labels than it claims");
  }
  std::vector<int> labels(d.begin() + 8, d.begin() + 8 + std::min(n, limit));
  return labels;
}

Result<Dataset> load_fashion_mnist(const std::string& split, size_t limit, const std::string& dir) {
  if (split != "t10k" && split != "train") {
    return make_error(ErrorCode::kInvalidInput, "unknown split '" + split + "'");
  }
  const std::string images = dir + "/" + split + "-images-idx3-ubyte.gz";
  const std::string labels = dir + "/" + split + "-labels-idx1-ubyte.gz";
  PG_TRY_ASSIGN(auto image_bytes, read_gzip_file(images, size_t(1) << 28));
  PG_TRY_ASSIGN(auto label_bytes, read_gzip_file(labels, size_t(1) << 24));
  Dataset ds;
  PG_TRY_ASSIGN(ds.labels, decode_idx_labels(label_bytes, limit, labels));
  for (size_t i = 0; i < ds.labels.size(); ++i) {
    PG_TRY_ASSIGN(Image img, decode_idx_image(image_bytes, i, images));
    ds.images.push_back(std::move(img));
  }
  return ds;
}

}  // namespace pg::app
