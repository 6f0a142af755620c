#include "nn/conv_view.h"

#include <algorithm>

#include "nn/plan.h"

namespace pg::nn {
namespace {

using kernels::ConvGeometry;

bool is_depthwise(const ConvGeometry& g) {
  return g.groups > 1 && g.groups == g.in_c && g.groups == g.out_c;
}

// Along one axis: do b's windows read positions of a's output outside [0, a_out) whose a-window
// overlaps the real input? Those positions are zero in the chain but not in a fused convolution.
// Sets `outside` if b reads any position outside [0, a_out) at all.
bool reads_real_padding(int out, int b_k, int b_s, int b_pad, int a_out, int a_k, int a_s,
                        int a_pad, int in, bool& outside) {
  for (int i = 0; i < out; ++i) {
    for (int t = 0; t < b_k; ++t) {
      const int r = i * b_s - b_pad + t;
      if (r >= 0 && r < a_out) continue;
      outside = true;
      const int lo = r * a_s - a_pad, hi = lo + a_k - 1;
      if (hi >= 0 && lo < in) return true;
    }
  }
  return false;
}

std::optional<ConvGeometry> fused_geometry(const ConvGeometry& a, const ConvGeometry& b) {
  ConvGeometry f;
  f.in_c = a.in_c;
  f.in_h = a.in_h;
  f.in_w = a.in_w;
  f.out_c = b.out_c;
  f.kh = a.kh + (b.kh - 1) * a.stride_h;
  f.kw = a.kw + (b.kw - 1) * a.stride_w;
  f.stride_h = a.stride_h * b.stride_h;
  f.stride_w = a.stride_w * b.stride_w;
  f.pad_top = a.pad_top + b.pad_top * a.stride_h;
  f.pad_left = a.pad_left + b.pad_left * a.stride_w;
  const int oh = b.out_h(), ow = b.out_w();
  f.pad_bottom = std::max(0, (oh - 1) * f.stride_h + f.kh - f.in_h - f.pad_top);
  f.pad_right = std::max(0, (ow - 1) * f.stride_w + f.kw - f.in_w - f.pad_left);
  const bool dw = is_depthwise(a) && is_depthwise(b) && a.in_c == b.out_c;
  f.groups = dw ? a.in_c : 1;
  if (f.in_h + f.pad_top + f.pad_bottom < f.kh || f.in_w + f.pad_left + f.pad_right < f.kw ||
      f.out_h() != oh || f.out_w() != ow) {
    return std::nullopt;
  }
  return f;
}

}  // namespace

std::array<int, 3> chw_of(const Shape& s) {
  if (s.size() == 4) return {int(s[1]), int(s[2]), int(s[3])};
  return {int(element_count(s)), 1, 1};
}

std::optional<ConvView> conv_view(const Graph& g, const Node& n) {
  const auto [c, h, w] = chw_of(g.shape_of(n.inputs[0]));
  ConvView v;
  v.geo.in_c = c;
  v.geo.in_h = h;
  v.geo.in_w = w;
  auto window = [&](const Node& node) {
    v.geo.kh = node.kernel[0];
    v.geo.kw = node.kernel[1];
    v.geo.stride_h = node.strides[0];
    v.geo.stride_w = node.strides[1];
    v.geo.pad_top = node.pads[0];
    v.geo.pad_left = node.pads[1];
    v.geo.pad_bottom = node.pads[2];
    v.geo.pad_right = node.pads[3];
  };
  switch (n.op) {
    case OpKind::kConv:
      window(n);
      v.geo.groups = n.groups;
      v.geo.out_c = int(g.constant(n.inputs[1]).shape[0]);
      v.w = g.constant(n.inputs[1]).data;
      if (n.inputs.size() > 2) v.bias = g.constant(n.inputs[2]).data;
      return v;
    case OpKind::kAveragePool:
    case OpKind::kGlobalAveragePool:
      if (n.op == OpKind::kAveragePool) {
        window(n);
      } else {
        v.geo.kh = h;
        v.geo.kw = w;
      }
      v.geo.out_c = v.geo.groups = c;
      v.w.assign(size_t(c) * v.geo.kh * v.geo.kw, 1.0 / (double(v.geo.kh) * v.geo.kw));
      return v;
    case OpKind::kGemm:
      v.geo.kh = h;
      v.geo.kw = w;
      v.geo.out_c = int(g.constant(n.inputs[1]).shape[0]);
      v.w = g.constant(n.inputs[1]).data;
      if (n.inputs.size() > 2) v.bias = g.constant(n.inputs[2]).data;
      return v;
    default:
      return std::nullopt;
  }
}

ConvView expand_groups(const ConvView& v) {
  if (v.geo.groups == 1) return v;
  ConvView e = v;
  const ConvGeometry& g = v.geo;
  const int cin = g.in_c / g.groups, cout = g.out_c / g.groups;
  const size_t k = size_t(g.kh) * g.kw;
  e.geo.groups = 1;
  e.w.assign(size_t(g.out_c) * g.in_c * k, 0.0);
  for (int o = 0; o < g.out_c; ++o) {
    const int base = (o / cout) * cin;
    for (int ci = 0; ci < cin; ++ci) {
      std::copy_n(v.w.begin() + ptrdiff_t((size_t(o) * cin + ci) * k), k,
                  e.w.begin() + ptrdiff_t((size_t(o) * g.in_c + base + ci) * k));
    }
  }
  return e;
}

std::optional<ConvGeometry> composed_geometry(const ConvView& a, const ConvView& b) {
  const ConvGeometry& ga = a.geo;
  const ConvGeometry& gb = b.geo;
  if (gb.in_c != ga.out_c || gb.in_h != ga.out_h() || gb.in_w != ga.out_w()) return std::nullopt;
  const auto geo = fused_geometry(ga, gb);
  if (!geo) return std::nullopt;
  bool outside = false;
  if (reads_real_padding(gb.out_h(), gb.kh, gb.stride_h, gb.pad_top, ga.out_h(), ga.kh, ga.stride_h,
                         ga.pad_top, ga.in_h, outside) ||
      reads_real_padding(gb.out_w(), gb.kw, gb.stride_w, gb.pad_left, ga.out_w(), ga.kw,
                         ga.stride_w, ga.pad_left, ga.in_w, outside)) {
    return std::nullopt;
  }
  // The chain sees zeros where a's bias would be. Whether a has a bias operand is structure; its
  // values are secret, so a bias that happens to be zero is treated like any other.
  if (outside && !a.bias.empty()) return std::nullopt;
  return geo;
}

std::optional<ConvView> compose(const ConvView& a, const ConvView& b) {
  const ConvGeometry& ga = a.geo;
  const ConvGeometry& gb = b.geo;
  const auto geo = composed_geometry(a, b);
  if (!geo) return std::nullopt;
  const bool a_bias = !a.bias.empty();
  ConvView f;
  f.geo = *geo;
  const bool dw = f.geo.groups > 1;
  const int a_cin = ga.in_c / ga.groups, a_cout = ga.out_c / ga.groups;
  const int b_cin = gb.in_c / gb.groups, b_cout = gb.out_c / gb.groups;
  const int f_cin = dw ? 1 : f.geo.in_c;
  f.w.assign(size_t(f.geo.out_c) * f_cin * f.geo.kh * f.geo.kw, 0.0);
  f.bias.assign(size_t(f.geo.out_c), 0.0);
  for (int n = 0; n < gb.out_c; ++n) {
    f.bias[size_t(n)] = b.bias.empty() ? 0.0 : b.bias[size_t(n)];
    for (int mi = 0; mi < b_cin; ++mi) {
      const int m = (n / b_cout) * b_cin + mi;
      for (int ty = 0; ty < gb.kh; ++ty) {
        for (int tx = 0; tx < gb.kw; ++tx) {
          const double wb = b.w[((size_t(n) * b_cin + mi) * gb.kh + ty) * gb.kw + tx];
          if (wb == 0) continue;
          if (a_bias) f.bias[size_t(n)] += wb * a.bias[size_t(m)];
          for (int ci = 0; ci < a_cin; ++ci) {
            const int c = (m / a_cout) * a_cin + ci;
            const int fc = dw ? 0 : c;
            for (int uy = 0; uy < ga.kh; ++uy) {
              for (int ux = 0; ux < ga.kw; ++ux) {
                const double wa = a.w[((size_t(m) * a_cin + ci) * ga.kh + uy) * ga.kw + ux];
                const int ky = ty * ga.stride_h + uy, kx = tx * ga.stride_w + ux;
                f.w[((size_t(n) * f_cin + fc) * f.geo.kh + ky) * f.geo.kw + kx] += wb * wa;
              }
            }
          }
        }
      }
    }
  }
  return f;
}

std::vector<double> dense_weights(const ConvView& view) {
  const ConvView v = expand_groups(view);
  const ConvGeometry& g = v.geo;
  PG_ASSERT(g.out_h() == 1 && g.out_w() == 1, "dense_weights: the output must be 1x1");
  const size_t in = g.in_size();
  std::vector<double> d(size_t(g.out_c) * in, 0.0);
  for (int o = 0; o < g.out_c; ++o) {
    for (int c = 0; c < g.in_c; ++c) {
      for (int iy = 0; iy < g.in_h; ++iy) {
        for (int ix = 0; ix < g.in_w; ++ix) {
          const int ky = iy + g.pad_top, kx = ix + g.pad_left;
          if (ky >= g.kh || kx >= g.kw) continue;
          d[size_t(o) * in + (size_t(c) * g.in_h + iy) * g.in_w + ix] =
              v.w[((size_t(o) * g.in_c + c) * g.kh + ky) * g.kw + kx];
        }
      }
    }
  }
  return d;
}

}  // namespace pg::nn
