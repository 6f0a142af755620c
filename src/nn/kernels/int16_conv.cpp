#include "nn/kernels/int16_conv.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "nn/kernels/scratch.h"

namespace pg::nn::kernels {

int int16_l1_bits(const WeightBound& bound, size_t taps) {
  if (weight_planes_int16(bound.max_abs_bits) == 1) return bound.row_l1_bits;
  return bit_length(taps) + 15;
}

bool Int16Conv::possible(const ConvGeometry& g, const WeightBound& bound, int ell) {
  // Offsets inside one group's buffer are 32-bit.
  const size_t padded = size_t(g.in_h + g.pad_top + g.pad_bottom + g.stride_h) *
                        size_t(g.in_w + g.pad_left + g.pad_right + g.stride_w);
  if (padded * size_t(g.in_c / g.groups + 1) >= (size_t{1} << 31)) return false;
  return int16_plan_possible(ell, int16_l1_bits(bound, g.taps()));
}

Int16Conv::Int16Conv(const ConvGeometry& g, std::span<const int64_t> weights,
                     const WeightBound& bound)
    : g_(g) {
  g_.validate();
  if (weights.size() != g_.weight_count()) {
    throw std::invalid_argument("Int16Conv: weight count does not match the geometry");
  }
  bound.check(weights, g_.out_c, g_.taps(), "Int16Conv");
  l1_bits_ = int16_l1_bits(bound, g_.taps());
  cin_ = g_.in_c / g_.groups;
  cout_ = g_.out_c / g_.groups;
  cpairs_ = (cin_ + 1) / 2;
  dense_ = g_.in_h == 1 && g_.in_w == 1 && g_.kh == 1 && g_.kw == 1 && g_.out_h() == 1 &&
           g_.out_w() == 1;
  const size_t taps = size_t(g_.kh) * g_.kw;
  for (int grp = 0; grp < g_.groups; ++grp) {
    // k = 2·((cp·kh + dy)·kw + dx) + half, channel c = 2·cp + half (zero beyond cin).
    groups_.emplace_back(cout_, size_t(cpairs_) * taps, bound.max_abs_bits,
                         [&](size_t m, size_t k) -> int64_t {
                           const size_t p = k / 2, tap = p % taps;
                           const size_t c = 2 * (p / taps) + k % 2;
                           if (c >= size_t(cin_)) return 0;
                           return weights[((size_t(grp) * cout_ + m) * cin_ + c) * taps + tap];
                         });
  }
  if (dense_) return;
  phases_h_ = g_.stride_h;
  phases_w_ = g_.stride_w;
  hq_ = (g_.in_h + g_.pad_top + g_.pad_bottom + phases_h_ - 1) / phases_h_;
  wq_ = (g_.in_w + g_.pad_left + g_.pad_right + phases_w_ - 1) / phases_w_;
  const size_t phase_words = size_t(hq_) * wq_;
  group_words_ = size_t(cpairs_) * phases_h_ * phases_w_ * phase_words;
  // 8 words of slack: a partial column vector reads up to 7 words past its last column.
  plane_words_ = group_words_ * g_.groups + 8;
  for (int cp = 0; cp < cpairs_; ++cp) {
    for (int dy = 0; dy < g_.kh; ++dy) {
      for (int dx = 0; dx < g_.kw; ++dx) {
        const size_t phase = size_t(dy % phases_h_) * phases_w_ + dx % phases_w_;
        const size_t word =
            ((size_t(cp) * phases_h_ * phases_w_ + phase) * hq_ + dy / phases_h_) * wq_ +
            dx / phases_w_;
        kpair_offset_.push_back(uint32_t(word));
      }
    }
  }
  const int oh = g_.out_h(), ow = g_.out_w();
  for (int oy = 0; oy < oh; ++oy) {
    for (int ox = 0; ox < ow; ox += 8) {
      vectors_.push_back(
          {uint32_t(oy * wq_ + ox), uint32_t(oy * ow + ox), uint32_t(std::min(8, ow - ox))});
    }
  }
  while (vectors_.size() % kInt16Nv) vectors_.push_back({0, 0, 0});
}

DigitPlan Int16Conv::plan(int ell) const {
  return int16_plan(ell, l1_bits_);
}

void Int16Conv::fill_planes(const int16_t* digits, size_t planes, int32_t* buf) const {
  const size_t in_words = g_.in_size();
  const int ph = phases_h_, pw = phases_w_;
  for (size_t j = 0; j < planes; ++j) {
    const int16_t* d = digits + j * in_words;
    int32_t* plane = buf + j * plane_words_;
    std::memset(plane + group_words_ * g_.groups, 0, 8 * sizeof(int32_t));
    for (int grp = 0; grp < g_.groups; ++grp) {
      for (int cp = 0; cp < cpairs_; ++cp) {
        const int c0 = grp * cin_ + 2 * cp;
        const int16_t* lo = d + size_t(c0) * g_.in_h * g_.in_w;
        const int16_t* hi = 2 * cp + 1 < cin_ ? lo + size_t(g_.in_h) * g_.in_w : nullptr;
        int32_t* dst = plane + size_t(grp) * group_words_ + size_t(cp) * ph * pw * hq_ * wq_;
        for (int py = 0; py < ph; ++py) {
          for (int px = 0; px < pw; ++px) {
            for (int qy = 0; qy < hq_; ++qy, dst += wq_) {
              const int iy = qy * ph + py - g_.pad_top;
              if (iy < 0 || iy >= g_.in_h) {
                std::memset(dst, 0, size_t(wq_) * sizeof(int32_t));
                continue;
              }
              const int16_t* lo_row = lo + size_t(iy) * g_.in_w;
              const int16_t* hi_row = hi ? hi + size_t(iy) * g_.in_w : nullptr;
              for (int qx = 0; qx < wq_; ++qx) {
                const int ix = qx * pw + px - g_.pad_left;
                const bool in = ix >= 0 && ix < g_.in_w;
                const uint32_t a = in ? uint16_t(lo_row[ix]) : 0;
                const uint32_t b = in && hi_row ? uint16_t(hi_row[ix]) : 0;
                dst[qx] = int32_t(a | (b << 16));
              }
            }
          }
        }
      }
    }
  }
}

void Int16Conv::apply_dense(const std::vector<int16_t>& digits, const DigitPlan& plan, uint64_t* y,
                            core::ThreadPool& pool) const {
  auto& pairs = scratch_words(plan.size() * cpairs_);
  for (int grp = 0; grp < g_.groups; ++grp) {
    for (size_t j = 0; j < plan.size(); ++j) {
      const int16_t* d = digits.data() + j * g_.in_c + size_t(grp) * cin_;
      for (int cp = 0; cp < cpairs_; ++cp) {
        const int16_t hi = 2 * cp + 1 < cin_ ? d[2 * cp + 1] : 0;
        pairs[j * cpairs_ + cp] =
            int32_t(uint32_t(uint16_t(d[2 * cp])) | (uint32_t(uint16_t(hi)) << 16));
      }
    }
    int16_gemv(groups_[grp], plan, pairs.data(), y + size_t(grp) * cout_, pool);
  }
}

void Int16Conv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
                      core::ThreadPool& pool) const {
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("Int16Conv: input or output size does not match the geometry");
  }
  const DigitPlan p = plan(ell);
  auto& digits = scratch_digits(p.size() * x.size());
  split_digits(x.data(), x.size(), p, digits.data(), x.size());
  if (dense_) {
    apply_dense(digits, p, y.data(), pool);
  } else {
    auto& buf = scratch_words(p.size() * plane_words_);
    fill_planes(digits.data(), p.size(), buf.data());
    const size_t pix = size_t(g_.out_h()) * g_.out_w();
    for (int grp = 0; grp < g_.groups; ++grp) {
      Int16Source src{buf.data() + size_t(grp) * group_words_, plane_words_, kpair_offset_.data(),
                      vectors_.data(), vectors_.size()};
      int16_gemm(groups_[grp], p, src, y.data() + size_t(grp) * cout_ * pix, pix, pool);
    }
  }
  const uint64_t mask = ring_mask(ell);
  for (auto& v : y) v &= mask;
}

}  // namespace pg::nn::kernels
