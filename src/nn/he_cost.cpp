#include "nn/he_cost.h"

#include <bit>
#include <stdexcept>
#include <string>

namespace pg::nn {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

uint64_t ceil_log2(uint64_t v) {
  return v <= 1 ? 0 : uint64_t(std::bit_width(v - 1));
}

bool is_depthwise(const ConvGeometry& g) {
  return g.groups > 1 && g.groups == g.in_c && g.groups == g.out_c;
}

void check_grouping(const ConvGeometry& g, const char* who) {
  g.validate();
  if (g.groups != 1 && !is_depthwise(g)) {
    throw std::invalid_argument(std::string(who) +
                                ": only groups = 1 or depthwise (groups = C = M) convolutions");
  }
}

}  // namespace

uint64_t he_cost(const HeOpCount& c) {
  return c.ct_pt_mults + kCiphertextWeight * (c.input_cts + c.output_cts);
}

HeOpCount& HeOpCount::operator+=(const HeOpCount& o) {
  ct_pt_mults += o.ct_pt_mults;
  additions += o.additions;
  rotations += o.rotations;
  input_cts += o.input_cts;
  output_cts += o.output_cts;
  return *this;
}

HeOpCount coeff_conv_count(const ConvGeometry& g, ConvTiling t, size_t n) {
  check_grouping(g, "coeff_conv_count");
  const bool dw = is_depthwise(g);
  if (t.hb < g.kh || t.wb < g.kw || t.cb < 1 || t.cb > g.in_c || (dw && t.cb != 1) ||
      uint64_t(t.cb) * t.hb * t.wb > n) {
    throw std::invalid_argument("coeff_conv_count: the tiling does not fit");
  }
  const uint64_t ho1 = uint64_t(g.in_h + g.pad_top + g.pad_bottom - g.kh + 1);
  const uint64_t wo1 = uint64_t(g.in_w + g.pad_left + g.pad_right - g.kw + 1);
  const uint64_t tiles =
      ceil_div(ho1, uint64_t(t.hb - g.kh + 1)) * ceil_div(wo1, uint64_t(t.wb - g.kw + 1));
  const uint64_t blocks = ceil_div(uint64_t(g.in_c), uint64_t(t.cb));
  HeOpCount c;
  c.input_cts = blocks * tiles;
  c.output_cts = uint64_t(g.out_c) * tiles;
  c.ct_pt_mults = dw ? c.output_cts : c.input_cts * uint64_t(g.out_c);
  c.additions = dw ? 0 : c.output_cts * (blocks - 1);
  return c;
}

HeOpCount coeff_dense_count(int in, int out, int nc, size_t n) {
  if (in < 1 || out < 1 || nc < 1 || nc > in || size_t(nc) > n) {
    throw std::invalid_argument("coeff_dense_count: need 1 <= nc <= min(in, N)");
  }
  const uint64_t nr = std::min<uint64_t>(uint64_t(out), n / uint64_t(nc));
  HeOpCount c;
  c.input_cts = ceil_div(uint64_t(in), uint64_t(nc));
  c.output_cts = ceil_div(uint64_t(out), nr);
  c.ct_pt_mults = c.input_cts * c.output_cts;
  c.additions = c.output_cts * (c.input_cts - 1);
  return c;
}

ConvTiling choose_conv_tiling(const ConvGeometry& g, size_t n) {
  check_grouping(g, "choose_conv_tiling");
  const bool dw = is_depthwise(g);
  const int hp = g.in_h + g.pad_top + g.pad_bottom, wp = g.in_w + g.pad_left + g.pad_right;
  if (size_t(g.kh) * g.kw > n) {
    throw std::invalid_argument("choose_conv_tiling: a " + std::to_string(g.kh) + "x" +
                                std::to_string(g.kw) +
                                " kernel does not fit N = " + std::to_string(n));
  }
  ConvTiling best;
  uint64_t best_cost = UINT64_MAX;
  for (int hb = g.kh; hb <= hp && size_t(hb) * g.kw <= n; ++hb) {
    for (int wb = g.kw; wb <= wp && size_t(hb) * wb <= n; ++wb) {
      const int cb = dw ? 1 : static_cast<int>(std::min<size_t>(g.in_c, n / (size_t(hb) * wb)));
      const ConvTiling t{cb, hb, wb};
      const uint64_t cost = he_cost(coeff_conv_count(g, t, n));
      if (cost < best_cost) {
        best_cost = cost;
        best = t;
      }
    }
  }
  return best;
}

int choose_dense_columns(int in, int out, size_t n) {
  if (in < 1 || out < 1) throw std::invalid_argument("choose_dense_columns: empty layer");
  int best = 1;
  uint64_t best_cost = UINT64_MAX;
  const int top = static_cast<int>(std::min<size_t>(size_t(in), n));
  for (int nc = 1; nc <= top; ++nc) {
    const uint64_t cost = he_cost(coeff_dense_count(in, out, nc, n));
    if (cost < best_cost) {
      best_cost = cost;
      best = nc;
    }
  }
  return best;
}

HeOpCount slot_conv_count(const ConvGeometry& g, size_t n) {
  check_grouping(g, "slot_conv_count");
  const uint64_t s = n / 2;
  const uint64_t hp = uint64_t(g.in_h + g.pad_top + g.pad_bottom);
  const uint64_t wp = uint64_t(g.in_w + g.pad_left + g.pad_right);
  const uint64_t taps = uint64_t(g.kh) * g.kw, c_in = uint64_t(g.in_c), m = uint64_t(g.out_c);
  uint64_t bands = 1, cn = 1;
  if (hp * wp <= s) {
    cn = std::min(c_in, s / (hp * wp));
  } else {
    const uint64_t hb = s / wp;
    if (hb < uint64_t(g.kh)) {
      throw std::invalid_argument("slot_conv_count: " + std::to_string(g.kh) + " padded rows of " +
                                  std::to_string(wp) + " do not fit " + std::to_string(s) +
                                  " slots");
    }
    bands = ceil_div(hp - uint64_t(g.kh) + 1, hb - uint64_t(g.kh) + 1);
  }
  const uint64_t per_band = ceil_div(c_in, cn);
  HeOpCount c;
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

HeOpCount slot_dense_count(int in, int out, size_t n) {
  if (in < 1 || out < 1 || n < 2) throw std::invalid_argument("slot_dense_count: empty layer");
  const uint64_t s = n / 2;
  const uint64_t d = std::bit_ceil(std::min<uint64_t>(uint64_t(in), s));
  const uint64_t k = ceil_div(uint64_t(in), d);
  const uint64_t blocks = ceil_div(uint64_t(out), d);
  HeOpCount c;
  c.input_cts = k;
  c.output_cts = blocks;
  uint64_t b_max = 1;
  for (uint64_t blk = 0; blk < blocks; ++blk) {
    const uint64_t r = std::min<uint64_t>(d, uint64_t(out) - blk * d);
    const uint64_t rp = std::bit_ceil(r);
    const uint64_t b = uint64_t(1) << ceil_div(ceil_log2(rp), 2);
    const uint64_t giant = rp / b;
    const uint64_t fold = ceil_log2(d / rp);
    b_max = std::max(b_max, b);
    c.ct_pt_mults += k * rp;
    c.additions += k * rp - 1 + fold;
    c.rotations += giant - 1 + fold;
  }
  c.rotations += k * (b_max - 1);
  return c;
}

HeOpCount he_layer_count(const ConvGeometry& g, bool dense, size_t n, HeEncoding e) {
  if (dense) {
    const int in = g.in_c, out = g.out_c;
    if (e == HeEncoding::kSlot) return slot_dense_count(in, out, n);
    return coeff_dense_count(in, out, choose_dense_columns(in, out, n), n);
  }
  if (e == HeEncoding::kSlot) return slot_conv_count(g, n);
  return coeff_conv_count(g, choose_conv_tiling(g, n), n);
}

}  // namespace pg::nn
