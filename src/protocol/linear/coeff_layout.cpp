#include "protocol/linear/coeff_layout.h"

#include <stdexcept>
#include <string>

namespace pg::protocol {
namespace {

size_t ceil_div(size_t a, size_t b) {
  return (a + b - 1) / b;
}

}  // namespace

CoeffLayout CoeffLayout::conv(const ConvGeometry& g, ConvTiling t, size_t n) {
  g.validate();
  const bool depthwise = g.groups > 1;
  if (depthwise && !(g.groups == g.in_c && g.groups == g.out_c)) {
    throw std::invalid_argument("CoeffLayout: only groups = 1 or depthwise (groups = C = M)");
  }
  if (t.hb < g.kh || t.wb < g.kw || t.cb < 1 || t.cb > g.in_c || (depthwise && t.cb != 1)) {
    throw std::invalid_argument("CoeffLayout: the tiling does not cover the kernel");
  }
  if (size_t(t.cb) * t.hb * t.wb > n) {
    throw std::invalid_argument("CoeffLayout: tile " + std::to_string(t.cb) + "x" +
                                std::to_string(t.hb) + "x" + std::to_string(t.wb) +
                                " exceeds N = " + std::to_string(n));
  }
  CoeffLayout l;
  l.kind_ = depthwise ? Kind::kDepthwise : Kind::kConv;
  l.g_ = g;
  l.t_ = t;
  l.n_ = n;
  const int ho1 = g.in_h + g.pad_top + g.pad_bottom - g.kh + 1;
  const int wo1 = g.in_w + g.pad_left + g.pad_right - g.kw + 1;
  l.tiles_h_ = static_cast<int>(ceil_div(ho1, t.hb - g.kh + 1));
  l.tiles_w_ = static_cast<int>(ceil_div(wo1, t.wb - g.kw + 1));
  l.blocks_ = static_cast<int>(ceil_div(g.in_c, t.cb));
  const size_t tiles = size_t(l.tiles_h_) * l.tiles_w_;
  l.in_polys_ = size_t(l.blocks_) * tiles;
  l.out_polys_ = size_t(g.out_c) * tiles;
  l.products_ = depthwise ? l.out_polys_ : l.in_polys_ * g.out_c;
  l.out_size_ = g.out_size();
  l.build_conv_slots();
  return l;
}

CoeffLayout CoeffLayout::dense(int in, int out, int nc, size_t n) {
  if (in < 1 || out < 1 || nc < 1 || nc > in || size_t(nc) > n) {
    throw std::invalid_argument("CoeffLayout: dense needs 1 <= nc <= min(in, N)");
  }
  CoeffLayout l;
  l.kind_ = Kind::kDense;
  l.dense_in_ = in;
  l.dense_out_ = out;
  l.nc_ = nc;
  l.nr_ = static_cast<int>(std::min<size_t>(out, n / nc));
  l.n_ = n;
  l.in_polys_ = ceil_div(in, nc);
  l.out_polys_ = ceil_div(out, l.nr_);
  l.products_ = l.in_polys_ * l.out_polys_;
  l.out_size_ = size_t(out);
  l.build_dense_slots();
  return l;
}

void CoeffLayout::build_conv_slots() {
  const ConvGeometry& g = g_;
  const int sh = t_.hb - g.kh + 1, sw = t_.wb - g.kw + 1;
  const int ho1 = g.in_h + g.pad_top + g.pad_bottom - g.kh + 1;
  const int wo1 = g.in_w + g.pad_left + g.pad_right - g.kw + 1;
  const int oh = g.out_h(), ow = g.out_w();
  const size_t o_base = size_t(t_.cb - 1) * t_.hb * t_.wb + size_t(g.kh - 1) * t_.wb + (g.kw - 1);
  slots_.assign(out_polys_, {});
  for (size_t o = 0; o < out_polys_; ++o) {
    const size_t m = o / (size_t(tiles_h_) * tiles_w_);
    const int th = static_cast<int>(o / tiles_w_ % tiles_h_), tw = static_cast<int>(o % tiles_w_);
    for (int i = 0; i < sh; ++i) {
      const int oy1 = th * sh + i;
      if (oy1 >= ho1 || oy1 % g.stride_h != 0 || oy1 / g.stride_h >= oh) continue;
      for (int j = 0; j < sw; ++j) {
        const int ox1 = tw * sw + j;
        if (ox1 >= wo1 || ox1 % g.stride_w != 0 || ox1 / g.stride_w >= ow) continue;
        const size_t idx = (m * oh + oy1 / g.stride_h) * ow + ox1 / g.stride_w;
        slots_[o].push_back({uint32_t(o), uint32_t(o_base + size_t(i) * t_.wb + j), uint32_t(idx)});
      }
    }
  }
}

void CoeffLayout::build_dense_slots() {
  slots_.assign(out_polys_, {});
  for (size_t o = 0; o < out_polys_; ++o) {
    for (int i = 0; i < nr_; ++i) {
      const size_t row = o * nr_ + i;
      if (row >= size_t(dense_out_)) break;
      slots_[o].push_back({uint32_t(o), uint32_t(size_t(i) * nc_ + nc_ - 1), uint32_t(row)});
    }
  }
}

void CoeffLayout::pack_input(std::span<const uint64_t> x, size_t k,
                             std::span<uint64_t> coeffs) const {
  if (k >= in_polys_ || coeffs.size() != n_) throw std::invalid_argument("pack_input: bad index");
  std::fill(coeffs.begin(), coeffs.end(), 0);
  if (kind_ == Kind::kDense) {
    if (x.size() != size_t(dense_in_)) throw std::invalid_argument("pack_input: input size");
    for (int j = 0; j < nc_ && k * nc_ + j < size_t(dense_in_); ++j) coeffs[j] = x[k * nc_ + j];
    return;
  }
  const ConvGeometry& g = g_;
  if (x.size() != g.in_size()) throw std::invalid_argument("pack_input: input size");
  const size_t tiles = size_t(tiles_h_) * tiles_w_;
  const int block = static_cast<int>(k / tiles);
  const int th = static_cast<int>(k / tiles_w_ % tiles_h_), tw = static_cast<int>(k % tiles_w_);
  const int sh = t_.hb - g.kh + 1, sw = t_.wb - g.kw + 1;
  for (int c = 0; c < t_.cb; ++c) {
    const int ch = block * t_.cb + c;
    if (ch >= g.in_c) break;
    for (int i = 0; i < t_.hb; ++i) {
      const int iy = th * sh + i - g.pad_top;
      if (iy < 0 || iy >= g.in_h) continue;
      for (int j = 0; j < t_.wb; ++j) {
        const int ix = tw * sw + j - g.pad_left;
        if (ix < 0 || ix >= g.in_w) continue;
        coeffs[(size_t(c) * t_.hb + i) * t_.wb + j] = x[(size_t(ch) * g.in_h + iy) * g.in_w + ix];
      }
    }
  }
}

size_t CoeffLayout::noise_terms() const {
  if (kind_ == Kind::kDense) return size_t(nr_) * size_t(dense_in_);
  return size_t(g_.in_c / g_.groups) * size_t(g_.kh) * size_t(g_.kw);
}

size_t CoeffLayout::terms(size_t o) const {
  (void)o;
  return kind_ == Kind::kDepthwise ? 1 : (kind_ == Kind::kDense ? in_polys_ : size_t(blocks_));
}

size_t CoeffLayout::input_of(size_t o, size_t t) const {
  const size_t tiles = size_t(tiles_h_) * tiles_w_;
  switch (kind_) {
    case Kind::kDense:
      return t;
    case Kind::kDepthwise:
      return o;
    case Kind::kConv:
      return t * tiles + o % tiles;
  }
  return 0;
}

void CoeffLayout::pack_kernel(std::span<const int64_t> weights, size_t o, size_t t,
                              std::span<int64_t> coeffs) const {
  if (o >= out_polys_ || t >= terms(o) || coeffs.size() != n_) {
    throw std::invalid_argument("pack_kernel: bad index");
  }
  std::fill(coeffs.begin(), coeffs.end(), 0);
  if (kind_ == Kind::kDense) {
    for (int i = 0; i < nr_ && o * nr_ + i < size_t(dense_out_); ++i) {
      for (int j = 0; j < nc_ && t * nc_ + j < size_t(dense_in_); ++j) {
        coeffs[size_t(i) * nc_ + (nc_ - 1 - j)] = weights[(o * nr_ + i) * dense_in_ + t * nc_ + j];
      }
    }
    return;
  }
  const ConvGeometry& g = g_;
  const size_t m = o / (size_t(tiles_h_) * tiles_w_);
  const size_t hw = size_t(t_.hb) * t_.wb;
  const size_t o_base = (t_.cb - 1) * hw + size_t(g.kh - 1) * t_.wb + (g.kw - 1);
  const int cin = g.in_c / g.groups;  // weights per output channel: [cin][kh][kw]
  for (int c = 0; c < t_.cb; ++c) {
    const int ch = kind_ == Kind::kDepthwise ? 0 : static_cast<int>(t) * t_.cb + c;
    if (ch >= cin) break;
    for (int dy = 0; dy < g.kh; ++dy) {
      for (int dx = 0; dx < g.kw; ++dx) {
        coeffs[o_base - (c * hw + size_t(dy) * t_.wb + dx)] =
            weights[((m * cin + ch) * g.kh + dy) * g.kw + dx];
      }
    }
  }
}

}  // namespace pg::protocol
