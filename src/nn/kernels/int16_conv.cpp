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

void Int16Conv::fill_planes(const uint64_t* x, const DigitPlan& plan, int32_t* buf,
                            core::ThreadPool& pool) const {
  const int ph = phases_h_, pw = phases_w_;
  const size_t planes = plan.size(), chan = size_t(g_.in_h) * g_.in_w;
  for (size_t j = 0; j < planes; ++j) {
    std::memset(buf + j * plane_words_ + group_words_ * g_.groups, 0, 8 * sizeof(int32_t));
  }
  // One unit = one channel pair of one group: its phase planes in every digit plane.
  pool.parallel_for(size_t(g_.groups) * cpairs_, [&](size_t u0, size_t u1) {
    for (size_t u = u0; u < u1; ++u) {
      const size_t grp = u / cpairs_, cp = u % cpairs_;
      const uint64_t* lo = x + (grp * cin_ + 2 * cp) * chan;
      const uint64_t* hi = 2 * cp + 1 < size_t(cin_) ? lo + chan : nullptr;
      int32_t* dst = buf + grp * group_words_ + cp * ph * pw * hq_ * wq_;
      for (int py = 0; py < ph; ++py) {
        for (int px = 0; px < pw; ++px) {
          // Phase columns qx in [q0, q1) read input columns qx · pw + px - pad_left.
          const int q0 = std::min(wq_, std::max(0, (g_.pad_left - px + pw - 1) / pw));
          const int q1 = std::max(q0, std::min(wq_, (g_.in_w + g_.pad_left - px + pw - 1) / pw));
          for (int qy = 0; qy < hq_; ++qy, dst += wq_) {
            const int iy = qy * ph + py - g_.pad_top;
            for (size_t j = 0; j < planes; ++j) {
              int32_t* row = dst + j * plane_words_;
              const bool in = iy >= 0 && iy < g_.in_h;
              std::fill(row, row + (in ? q0 : wq_), 0);
              if (in) std::fill(row + q1, row + wq_, 0);
            }
            if (iy < 0 || iy >= g_.in_h || q1 == q0) continue;
            const size_t first = size_t(iy) * g_.in_w + size_t(q0 * pw + px - g_.pad_left);
            split_digit_pairs(lo + first, hi ? hi + first : nullptr, size_t(pw), size_t(q1 - q0),
                              plan, dst + q0, plane_words_);
          }
        }
      }
    }
  });
}

void Int16Conv::apply_dense(const uint64_t* x, const DigitPlan& plan, uint64_t* y,
                            core::ThreadPool& pool) const {
  auto& pairs = scratch<int32_t, kScratchWords>(plan.size() * cpairs_);
  for (int grp = 0; grp < g_.groups; ++grp) {
    // Channel pair (2p, 2p+1) of the group is x[2p], x[2p+1]: stride 2 over the group's inputs.
    const uint64_t* xg = x + size_t(grp) * cin_;
    const size_t full = size_t(cin_ / 2);
    split_digit_pairs(xg, xg + 1, 2, full, plan, pairs.data(), cpairs_);
    if (cin_ % 2)
      split_digit_pairs(xg + cin_ - 1, nullptr, 1, 1, plan, pairs.data() + full, cpairs_);
    int16_gemv(groups_[grp], plan, pairs.data(), y + size_t(grp) * cout_, pool);
  }
}

void Int16Conv::apply(std::span<const uint64_t> x, int ell, std::span<uint64_t> y,
                      core::ThreadPool& pool) const {
  if (x.size() != g_.in_size() || y.size() != g_.out_size()) {
    throw std::invalid_argument("Int16Conv: input or output size does not match the geometry");
  }
  const DigitPlan p = plan(ell);
  if (dense_) {
    apply_dense(x.data(), p, y.data(), pool);
  } else {
    auto& buf = scratch<int32_t, kScratchWords>(p.size() * plane_words_);
    fill_planes(x.data(), p, buf.data(), pool);
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
