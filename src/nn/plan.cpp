#include "nn/plan.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pg::nn {
namespace {

[[noreturn]] void fail(size_t step, const std::string& what) {
  throw std::invalid_argument("plan step " + std::to_string(step) + ": " + what);
}

// 0: not yet produced, 1: a masked value (input or non-linear output), 2: an affine output.
enum State { kUnset = 0, kMasked = 1, kAffine = 2 };

void validate_pool(size_t i, const NonLinearStep& n, const TensorInfo& in, const TensorInfo& out) {
  const PoolWindow& p = n.pool;
  if (p.kh < 1 || p.kw < 1 || p.stride_h < 1 || p.stride_w < 1 || p.pad_top < 0 || p.pad_left < 0 ||
      p.pad_bottom < 0 || p.pad_right < 0 || p.pad_top >= p.kh || p.pad_bottom >= p.kh ||
      p.pad_left >= p.kw || p.pad_right >= p.kw || in.h + p.pad_top + p.pad_bottom < p.kh ||
      in.w + p.pad_left + p.pad_right < p.kw) {
    fail(i, "invalid max-pool window");
  }
  if (out.c != in.c || out.h != p.out_h(in.h) || out.w != p.out_w(in.w)) {
    fail(i, "max-pool window does not match the tensor shapes");
  }
}

void validate_he_term(size_t i, const HeTerm& t, const TensorInfo& in, size_t out_size) {
  try {
    t.geometry.validate();
  } catch (const std::invalid_argument& e) {
    fail(i, e.what());
  }
  if (t.dense && (t.geometry.in_h != 1 || t.geometry.in_w != 1 || t.geometry.kh != 1 ||
                  t.geometry.kw != 1 || t.geometry.groups != 1)) {
    fail(i, "a dense term must have a dense geometry");
  }
  if (t.geometry.in_size() != in.size() || t.geometry.out_size() != out_size) {
    fail(i, "a term's geometry does not match its tensors");
  }
  if (t.weight_bits < 1 || t.weight_bits > 40) fail(i, "weight bound out of [1, 40] bits");
  if (t.weights.empty()) return;
  if (t.weights.size() != t.geometry.weight_count())
    fail(i, "a term has the wrong number of weights");
  const int64_t bound = int64_t{1} << t.weight_bits;
  for (int64_t w : t.weights) {
    if (w <= -bound || w >= bound) fail(i, "a weight exceeds the term's public bound");
  }
}

}  // namespace

const char* to_string(NonLinearKind kind) {
  switch (kind) {
    case NonLinearKind::kRelu:
      return "relu";
    case NonLinearKind::kMaxPoolRelu:
      return "maxpool+relu";
    case NonLinearKind::kTruncate:
      return "truncate";
  }
  return "?";
}

TensorInfo PublicTerm::output_shape(const TensorInfo& s) const {
  return {s.c + pad_before + pad_after, (s.h + stride - 1) / stride, (s.w + stride - 1) / stride};
}

void PublicTerm::accumulate(const TensorInfo& s, std::span<const uint64_t> x,
                            std::span<uint64_t> out) const {
  const TensorInfo o = output_shape(s);
  if (x.size() != s.size() || out.size() != o.size()) {
    throw std::invalid_argument("PublicTerm::accumulate: size mismatch");
  }
  for (int c = 0; c < s.c; ++c) {
    for (int y = 0; y < o.h; ++y) {
      const uint64_t* src = x.data() + (size_t(c) * s.h + size_t(y) * stride) * s.w;
      uint64_t* dst = out.data() + (size_t(c + pad_before) * o.h + y) * o.w;
      for (int xx = 0; xx < o.w; ++xx) dst[xx] += uint64_t(factor) * src[size_t(xx) * stride];
    }
  }
}

std::vector<std::vector<uint32_t>> NonLinearStep::windows(const TensorInfo& in_shape,
                                                          const TensorInfo& out_shape) const {
  std::vector<std::vector<uint32_t>> wins(out_shape.size());
  if (kind != NonLinearKind::kMaxPoolRelu) {
    for (size_t i = 0; i < wins.size(); ++i) wins[i] = {uint32_t(i)};
    return wins;
  }
  const PoolWindow& p = pool;
  for (int c = 0; c < out_shape.c; ++c) {
    for (int oy = 0; oy < out_shape.h; ++oy) {
      const int y0 = oy * p.stride_h - p.pad_top;
      const int ylo = std::max(0, y0), yhi = std::min(in_shape.h, y0 + p.kh) - 1;
      for (int ox = 0; ox < out_shape.w; ++ox) {
        const int x0 = ox * p.stride_w - p.pad_left;
        const int xlo = std::max(0, x0), xhi = std::min(in_shape.w, x0 + p.kw) - 1;
        auto& win = wins[(size_t(c) * out_shape.h + oy) * out_shape.w + ox];
        win.reserve(size_t(p.kh) * p.kw);
        // Clamping an overhanging tap to the nearest in-bounds element of the same window
        // keeps the max: that element is in the window too (ylo ≤ yhi since pads < kernel).
        for (int dy = 0; dy < p.kh; ++dy) {
          const int iy = std::clamp(y0 + dy, ylo, yhi);
          for (int dx = 0; dx < p.kw; ++dx) {
            const int ix = std::clamp(x0 + dx, xlo, xhi);
            win.push_back(uint32_t((size_t(c) * in_shape.h + iy) * in_shape.w + ix));
          }
        }
      }
    }
  }
  return wins;
}

std::vector<bool> Plan::masked() const {
  std::vector<bool> m(tensors.size(), false);
  for (const auto& s : steps) {
    if (const auto* a = std::get_if<AffineStep>(&s)) {
      for (const auto& t : a->he_terms) m.at(t.in) = true;
      for (const auto& t : a->public_terms) m.at(t.in) = true;
    }
  }
  return m;
}

void Plan::validate() const {
  if (ell < 2 || ell > 64 || f < 0 || f_w < 0 || f + f_w >= ell) {
    throw std::invalid_argument("plan: need 0 <= f, f_w and f + f_w < ell <= 64");
  }
  if (input >= tensors.size() || output >= tensors.size()) {
    throw std::invalid_argument("plan: input or output tensor out of range");
  }
  std::vector<int> state(tensors.size(), kUnset);
  state[input] = kMasked;
  auto need = [&](size_t i, size_t t, int kind, const char* what) {
    if (t >= tensors.size()) fail(i, std::string(what) + " tensor out of range");
    if (state[t] != kind) {
      fail(i, std::string(what) + " tensor " + std::to_string(t) +
                  (state[t] == kUnset ? " is read before it is produced"
                                      : " has the wrong kind (affine outputs feed only "
                                        "non-linear steps)"));
    }
  };
  auto produce = [&](size_t i, size_t t, int kind) {
    if (t >= tensors.size()) fail(i, "output tensor out of range");
    if (state[t] != kUnset) fail(i, "tensor " + std::to_string(t) + " is produced twice");
    state[t] = kind;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    if (const auto* a = std::get_if<AffineStep>(&steps[i])) {
      if (a->out >= tensors.size()) fail(i, "output tensor out of range");
      const TensorInfo& out = tensors[a->out];
      if (a->he_terms.empty() && a->public_terms.empty()) fail(i, "an affine step with no terms");
      for (const auto& t : a->he_terms) {
        need(i, t.in, kMasked, "input");
        validate_he_term(i, t, tensors[t.in], out.size());
      }
      for (const auto& t : a->public_terms) {
        need(i, t.in, kMasked, "input");
        if (t.stride < 1 || t.pad_before < 0 || t.pad_after < 0) fail(i, "invalid public term");
        if (!(t.output_shape(tensors[t.in]) == out)) fail(i, "a public term changes the shape");
      }
      if (!a->bias.empty() && a->bias.size() != out.size()) fail(i, "bias size mismatch");
      produce(i, a->out, kAffine);
    } else {
      const auto& n = std::get<NonLinearStep>(steps[i]);
      need(i, n.in, kAffine, "input");
      produce(i, n.out, kMasked);
      const TensorInfo& in = tensors[n.in];
      const TensorInfo& out = tensors[n.out];
      if (n.kind == NonLinearKind::kMaxPoolRelu) {
        validate_pool(i, n, in, out);
      } else if (in.size() != out.size()) {
        fail(i, std::string(to_string(n.kind)) + " changes the size");
      }
    }
  }
  if (state[output] != kAffine) {
    throw std::invalid_argument("plan: the output is not an affine output");
  }
}

Plan Plan::architecture() const {
  Plan p = *this;
  for (auto& step : p.steps) {
    if (auto* a = std::get_if<AffineStep>(&step)) {
      a->bias.clear();
      a->bias.shrink_to_fit();
      for (auto& t : a->he_terms) {
        t.weights.clear();
        t.weights.shrink_to_fit();
      }
    }
  }
  return p;
}

bool Plan::has_weights() const {
  for (const auto& step : steps) {
    if (const auto* a = std::get_if<AffineStep>(&step)) {
      if (a->bias.empty()) return false;
      for (const auto& t : a->he_terms) {
        if (t.weights.empty()) return false;
      }
    }
  }
  return true;
}

}  // namespace pg::nn
