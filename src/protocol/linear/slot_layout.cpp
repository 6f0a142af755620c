#include "protocol/linear/slot_layout.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace pg::protocol {
namespace {

size_t ceil_div(size_t a, size_t b) {
  return (a + b - 1) / b;
}

size_t ceil_log2(size_t v) {
  return v <= 1 ? 0 : size_t(std::bit_width(v - 1));
}

bool is_depthwise(const ConvGeometry& g) {
  return g.groups > 1 && g.groups == g.in_c && g.groups == g.out_c;
}

struct ConvPlan {
  size_t seg = 0;
  int bands = 1, hb = 0, cn = 1;
};

ConvPlan plan_conv(const ConvGeometry& g, size_t n) {
  g.validate();
  if (g.groups != 1 && !is_depthwise(g)) {
    throw std::invalid_argument("slot layout: only groups = 1 or depthwise convolutions");
  }
  const size_t s = n / 2;
  const int hp = g.in_h + g.pad_top + g.pad_bottom, wp = g.in_w + g.pad_left + g.pad_right;
  ConvPlan p;
  if (size_t(hp) * wp <= s) {
    p.seg = size_t(hp) * wp;
    p.hb = hp;
    const size_t fit = s / p.seg;
    p.cn = static_cast<int>(std::min<size_t>(g.in_c, is_depthwise(g) ? fit : std::bit_floor(fit)));
    return p;
  }
  p.hb = static_cast<int>(s / size_t(wp));
  if (p.hb < g.kh) {
    throw std::invalid_argument("slot layout: " + std::to_string(g.kh) + " padded rows of " +
                                std::to_string(wp) + " do not fit " + std::to_string(s) + " slots");
  }
  p.bands = static_cast<int>(ceil_div(size_t(hp - g.kh + 1), size_t(p.hb - g.kh + 1)));
  p.seg = size_t(p.hb) * wp;
  return p;
}

}  // namespace

nn::HeOpCount slot_conv_count_fixed(const ConvGeometry& g, size_t n) {
  const ConvPlan p = plan_conv(g, n);
  const uint64_t taps = uint64_t(g.kh) * g.kw, m = uint64_t(g.out_c), cn = uint64_t(p.cn);
  const uint64_t bands = uint64_t(p.bands), per_band = ceil_div(uint64_t(g.in_c), cn);
  nn::HeOpCount c;
  c.input_cts = bands * per_band;
  c.rotations = c.input_cts * (taps - 1);
  if (is_depthwise(g)) {
    c.ct_pt_mults = c.input_cts * taps;
    c.additions = c.input_cts * (taps - 1);
    c.output_cts = c.input_cts;
    return c;
  }
  const uint64_t sum_steps = ceil_log2(cn);
  const uint64_t packed = bands * (m - ceil_div(m, cn));
  c.ct_pt_mults = m * c.input_cts * taps + (cn > 1 ? m * bands : 0);
  c.additions = m * bands * (per_band * taps - 1) + m * bands * sum_steps + packed;
  c.rotations += m * bands * sum_steps + packed;
  c.output_cts = bands * ceil_div(m, cn);
  return c;
}

SlotLayout SlotLayout::conv(const ConvGeometry& g, size_t n) {
  const ConvPlan p = plan_conv(g, n);
  SlotLayout l;
  l.kind_ = is_depthwise(g) ? Kind::kDepthwise : Kind::kConv;
  l.n_ = n;
  l.g_ = g;
  l.seg_ = p.seg;
  l.bands_ = p.bands;
  l.hb_ = p.hb;
  l.cn_ = p.cn;
  l.wp_ = g.in_w + g.pad_left + g.pad_right;
  l.per_band_ = static_cast<int>(ceil_div(size_t(g.in_c), size_t(p.cn)));
  l.count_ = slot_conv_count_fixed(g, n);
  l.input_cts_ = l.count_.input_cts;
  l.output_cts_ = l.count_.output_cts;
  l.build_conv_outputs();
  return l;
}

SlotLayout SlotLayout::dense(int in, int out, size_t n) {
  if (in < 1 || out < 1) throw std::invalid_argument("slot layout: empty dense layer");
  SlotLayout l;
  l.kind_ = Kind::kDense;
  l.n_ = n;
  l.in_ = in;
  l.out_ = out;
  l.d_ = std::bit_ceil(std::min<size_t>(size_t(in), n / 2));
  l.k_ = ceil_div(size_t(in), l.d_);
  l.blocks_ = ceil_div(size_t(out), l.d_);
  for (size_t b = 0; b < l.blocks_; ++b) l.baby_max_ = std::max(l.baby_max_, l.dense_block(b).baby);
  l.count_ = nn::slot_dense_count(in, out, n);
  l.input_cts_ = l.count_.input_cts;
  l.output_cts_ = l.count_.output_cts;
  l.build_dense_outputs();
  return l;
}

SlotLayout::DenseBlock SlotLayout::dense_block(size_t b) const {
  DenseBlock blk;
  blk.row0 = b * d_;
  blk.rows = std::min(d_, size_t(out_) - blk.row0);
  blk.rp = std::bit_ceil(blk.rows);
  blk.baby = size_t{1} << ceil_div(ceil_log2(blk.rp), 2);
  blk.giant = blk.rp / blk.baby;
  return blk;
}

void SlotLayout::build_conv_outputs() {
  const ConvGeometry& g = g_;
  const int oh = g.out_h(), ow = g.out_w(), adv = hb_ - g.kh + 1;
  const size_t per_out =
      kind_ == Kind::kDepthwise ? size_t(per_band_) : ceil_div(size_t(g.out_c), size_t(cn_));
  outputs_.clear();
  outputs_.reserve(g.out_size());
  for (int m = 0; m < g.out_c; ++m) {
    for (int oy = 0; oy < oh; ++oy) {
      const int y1 = oy * g.stride_h, band = y1 / adv, yl = y1 - band * adv;
      for (int ox = 0; ox < ow; ++ox) {
        const int x1 = ox * g.stride_w;
        const size_t ct = size_t(band) * per_out + size_t(m / cn_);
        const size_t slot = size_t(m % cn_) * seg_ + size_t(yl) * wp_ + x1;
        const size_t idx = (size_t(m) * oh + oy) * ow + ox;
        outputs_.push_back({uint32_t(ct), uint32_t(slot), uint32_t(idx)});
      }
    }
  }
}

void SlotLayout::build_dense_outputs() {
  outputs_.clear();
  for (int i = 0; i < out_; ++i) {
    outputs_.push_back({uint32_t(size_t(i) / d_), uint32_t(size_t(i) % d_), uint32_t(i)});
  }
}

std::vector<int64_t> SlotLayout::rotation_steps() const {
  std::vector<int64_t> steps;
  if (kind_ == Kind::kDense) {
    for (size_t b = 1; b < baby_max_; ++b) steps.push_back(int64_t(b));
    for (size_t blk = 0; blk < blocks_; ++blk) {
      const DenseBlock db = dense_block(blk);
      for (size_t gi = 1; gi < db.giant; ++gi) steps.push_back(int64_t(gi * db.baby));
      for (size_t s = db.rp; s < d_; s *= 2) steps.push_back(int64_t(s));
    }
  } else {
    for (int dy = 0; dy < g_.kh; ++dy) {
      for (int dx = 0; dx < g_.kw; ++dx) {
        if (dy || dx) steps.push_back(int64_t(dy) * wp_ + dx);
      }
    }
    if (kind_ == Kind::kConv) {
      for (size_t i = 0; i < ceil_log2(size_t(cn_)); ++i) steps.push_back(int64_t(seg_ << i));
      if (g_.out_c > 1) {
        for (int r = 1; r < cn_; ++r) steps.push_back(-int64_t(r) * int64_t(seg_));
      }
    }
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

void SlotLayout::pack_input(std::span<const uint64_t> x, size_t k,
                            std::span<uint64_t> slots) const {
  if (k >= input_cts_ || slots.size() != n_ / 2) {
    throw std::invalid_argument("slot pack_input: bad index or size");
  }
  std::fill(slots.begin(), slots.end(), 0);
  if (kind_ == Kind::kDense) {
    if (x.size() != size_t(in_)) throw std::invalid_argument("slot pack_input: input size");
    for (size_t j = 0; j < slots.size(); ++j) {
      const size_t col = k * d_ + j % d_;
      if (col < size_t(in_)) slots[j] = x[col];
    }
    return;
  }
  const ConvGeometry& g = g_;
  if (x.size() != g.in_size()) throw std::invalid_argument("slot pack_input: input size");
  const int band = static_cast<int>(k / size_t(per_band_)), j = static_cast<int>(k % per_band_);
  const int hp = g.in_h + g.pad_top + g.pad_bottom, adv = hb_ - g.kh + 1;
  for (int cl = 0; cl < cn_ && j * cn_ + cl < g.in_c; ++cl) {
    const size_t c = size_t(j) * cn_ + cl;
    for (int yl = 0; yl < hb_ && band * adv + yl < hp; ++yl) {
      const int iy = band * adv + yl - g.pad_top;
      if (iy < 0 || iy >= g.in_h) continue;
      for (int xp = 0; xp < wp_; ++xp) {
        const int ix = xp - g.pad_left;
        if (ix < 0 || ix >= g.in_w) continue;
        slots[size_t(cl) * seg_ + size_t(yl) * wp_ + xp] = x[(c * g.in_h + iy) * g.in_w + ix];
      }
    }
  }
}

double SlotLayout::noise(size_t n, double log2_t, double b_ks) const {
  // Worst case, ℓ∞: a product with a plaintext (coefficients in [0, t), batch_encoder.h)
  // multiplies a noise bound by N·t; a rotation keeps it and adds b_ks; sums add.
  const double grow = std::exp2(std::log2(double(n)) + log2_t);
  const double fresh = 21.0, rotated = fresh + b_ks;
  const double taps = double(g_.kh) * g_.kw;
  if (kind_ == Kind::kDepthwise) return taps * grow * rotated;
  if (kind_ == Kind::kDense) {
    double worst = 0;
    for (size_t b = 0; b < blocks_; ++b) {
      const DenseBlock db = dense_block(b);
      double v = double(k_ * db.rp) * grow * rotated + double(db.giant - 1) * b_ks;
      for (size_t s = db.rp; s < d_; s *= 2) v = 2 * v + b_ks;
      worst = std::max(worst, v);
    }
    return worst;
  }
  double v = double(per_band_) * taps * grow * rotated;
  for (size_t i = 0; i < ceil_log2(size_t(cn_)); ++i) v = 2 * v + b_ks;
  if (cn_ > 1) v = double(cn_) * (grow * v + b_ks);
  return v;
}

}  // namespace pg::protocol
