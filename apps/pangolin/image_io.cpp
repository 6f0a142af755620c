#include "image_io.h"

#include <png.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

namespace pg::app {
namespace {

using core::ErrorCode;
using core::make_error;
using core::Result;

Result<std::vector<uint8_t>> read_file(const std::string& path, size_t max_bytes) {
  // gzopen reads plain files too, so one path serves .gz and uncompressed inputs.
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return make_error(ErrorCode::kIo, "cannot open '" + path + "'");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    const int got = gzread(f, buf, sizeof(buf));
    if (got < 0) {
      gzclose(f);
      return make_error(ErrorCode::kMalformed, "'" + path + "' is not readable (corrupt gzip?)");
    }
    if (got == 0) break;
    if (out.size() + size_t(got) > max_bytes) {
      gzclose(f);
      return make_error(ErrorCode::kTooLarge,
                        "'" + path + "' is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), buf, buf + got);
  }
  gzclose(f);
  return out;
}

core::Status check_dims(const std::string& path, long w, long h) {
  if (w < 1 || h < 1 || w > kMaxImageSide || h > kMaxImageSide) {
    return make_error(ErrorCode::kTooLarge, "'" + path + "' claims " + std::to_string(w) + "x" +
                                                std::to_string(h) + " pixels (limit " +
                                                std::to_string(kMaxImageSide) + " per side)");
  }
  return {};
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

// Reads the next PGM header token, skipping whitespace and comments.
bool pgm_token(const std::vector<uint8_t>& d, size_t& pos, long& value) {
  while (pos < d.size()) {
    if (d[pos] == '#') {
      while (pos < d.size() && d[pos] != '\n') ++pos;
    } else if (std::isspace(d[pos]) != 0) {
      ++pos;
    } else {
      break;
    }
  }
  if (pos >= d.size() || std::isdigit(d[pos]) == 0) return false;
  value = 0;
  while (pos < d.size() && std::isdigit(d[pos]) != 0 && value < 1000000) {
    value = value * 10 + (d[pos++] - '0');
  }
  return true;
}

}  // namespace

Result<Image> load_pgm(const std::string& path) {
  PG_TRY_ASSIGN(auto d, read_file(path, size_t(1) << 28));
  return decode_pgm(d, path);
}

Result<Image> decode_pgm(const std::vector<uint8_t>& d, const std::string& path) {
  if (d.size() < 2 || d[0] != 'P' || (d[1] != '5' && d[1] != '2')) {
    return make_error(ErrorCode::kMalformed, "'" + path + "' is not a PGM file (no P5/P2 magic)");
  }
  const bool ascii = d[1] == '2';
  size_t pos = 2;
  long w = 0, h = 0, maxval = 0;
  if (!pgm_token(d, pos, w) || !pgm_token(d, pos, h) || !pgm_token(d, pos, maxval)) {
    return make_error(ErrorCode::kMalformed, "'" + path + "' has a malformed PGM header");
  }
  PG_TRY(check_dims(path, w, h));
  if (maxval < 1 || maxval > 65535) {
    return make_error(ErrorCode::kMalformed, "'" + path + "' has PGM maxval " +
                                                 std::to_string(maxval) + " outside [1, 65535]");
  }
  Image img{1, int(h), int(w), std::vector<double>(size_t(w) * h)};
  const size_t bytes_per = maxval > 255 ? 2 : 1;
  if (!ascii) ++pos;  // the single whitespace byte after maxval
  for (size_t i = 0; i < img.pixels.size(); ++i) {
    long v = 0;
    if (ascii) {
      if (!pgm_token(d, pos, v)) {
        return make_error(ErrorCode::kTruncated, "'" + path + "' ends before its last pixel");
      }
    } else {
      if (pos + bytes_per > d.size()) {
        return make_error(ErrorCode::kTruncated, "'" + path + "' ends before its last pixel");
      }
      v = bytes_per == 2 ? (long(d[pos]) << 8) | d[pos + 1] : d[pos];
      pos += bytes_per;
    }
    if (v > maxval) {
      return make_error(ErrorCode::kMalformed, "'" + path + "' has a pixel above maxval");
    }
    img.pixels[i] = double(v) / double(maxval);
  }
  return img;
}

Result<Image> load_png(const std::string& path) {
  PG_TRY_ASSIGN(auto d, read_file(path, size_t(1) << 28));
  return decode_png(d, path);
}

Result<Image> decode_png(const std::vector<uint8_t>& d, const std::string& path) {
  if (d.size() < 8 || png_sig_cmp(d.data(), 0, 8) != 0) {
    return make_error(ErrorCode::kMalformed, "'" + path + "' is not a PNG file");
  }
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, d.data(), d.size()) == 0) {
    return make_error(ErrorCode::kMalformed, "'" + path + "': " + png.message);
  }
  if (auto s = check_dims(path, long(png.width), long(png.height)); !s.ok()) {
    png_image_free(&png);
    return s.error();
  }
  const bool color = (png.format & PNG_FORMAT_FLAG_COLOR) != 0;
  png.format = color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;  // alpha is composited on black
  const int c = color ? 3 : 1;
  std::vector<uint8_t> raw(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, raw.data(), 0, nullptr) == 0) {
    std::string msg = png.message;
    png_image_free(&png);
    return make_error(ErrorCode::kMalformed, "'" + path + "': " + msg);
  }
  Image img{c, int(png.height), int(png.width), std::vector<double>(raw.size())};
  const size_t hw = size_t(img.height) * img.width;
  for (size_t p = 0; p < hw; ++p) {
    for (int ch = 0; ch < c; ++ch) img.pixels[size_t(ch) * hw + p] = raw[p * c + ch] / 255.0;
  }
  return img;
}

Result<Image> load_idx_image(const std::string& path, size_t index) {
  PG_TRY_ASSIGN(auto d, read_file(path, size_t(1) << 30));
  return decode_idx_image(d, index, path);
}

Result<Image> decode_idx_image(const std::vector<uint8_t>& d, size_t index,
                               const std::string& path) {
  if (d.size() < 16 || be32(d.data()) != 0x803) {
    return make_error(ErrorCode::kMalformed,
                      "'" + path + "' is not an IDX3 image file (magic 0x00000803)");
  }
  const uint32_t n = be32(d.data() + 4), h = be32(d.data() + 8), w = be32(d.data() + 12);
  PG_TRY(check_dims(path, long(w), long(h)));
  if (uint64_t(n) * h * w + 16 > d.size()) {
    return make_error(ErrorCode::kTruncated, "'" + path + "' holds fewer images than it claims");
  }
  if (index >= n) {
    return make_error(ErrorCode::kInvalidInput, "image index " + std::to_string(index) +
                                                    " is out of range: '" + path + "' has " +
                                                    std::to_string(n) + " images");
  }
  Image img{1, int(h), int(w), std::vector<double>(size_t(h) * w)};
  const uint8_t* src = d.data() + 16 + index * h * w;
  for (size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = src[i] / 255.0;
  return img;
}

Result<int> load_idx_label(const std::string& path, size_t index) {
  PG_TRY_ASSIGN(auto d, read_file(path, size_t(1) << 26));
  if (d.size() < 8 || be32(d.data()) != 0x801) {
    return make_error(ErrorCode::kMalformed,
                      "'" + path + "' is not an IDX1 label file (magic 0x00000801)");
  }
  const uint32_t n = be32(d.data() + 4);
  if (uint64_t(n) + 8 > d.size()) {
    return make_error(ErrorCode::kTruncated, "'" + path + "' holds fewer labels than it claims");
  }
  if (index >= n) {
    return make_error(ErrorCode::kInvalidInput,
                      "label index " + std::to_string(index) + " is out of range");
  }
  return int(d[8 + index]);
}

Result<Image> load_image(const std::string& spec) {
  auto ends_with = [&](const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  };
  const auto colon = spec.rfind(':');
  if (colon != std::string::npos && colon + 1 < spec.size() &&
      spec.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    const std::string index = spec.substr(colon + 1);
    if (index.size() > 9) return make_error(ErrorCode::kInvalidInput, "image index too large");
    return load_idx_image(spec.substr(0, colon), std::stoul(index));
  }
  if (ends_with(spec, ".png") || ends_with(spec, ".PNG")) return load_png(spec);
  if (ends_with(spec, ".pgm") || ends_with(spec, ".pnm")) return load_pgm(spec);
  return make_error(ErrorCode::kUnsupported,
                    "cannot tell the format of '" + spec +
                        "': use a .png or .pgm file, or IDX_FILE:INDEX for an IDX image file");
}

core::Status check_image_shape(const Image& img, int channels, int height, int width) {
  if (img.channels == channels && img.height == height && img.width == width) return {};
  auto shape = [](int c, int h, int w) {
    return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
  };
  return make_error(ErrorCode::kMismatch,
                    "the image is " + shape(img.channels, img.height, img.width) +
                        " (CxHxW) but the model expects " + shape(channels, height, width));
}

}  // namespace pg::app
