#include "protocol/schedule.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace pg::protocol {
namespace {

[[noreturn]] void fail(size_t step, const std::string& what) {
  throw std::invalid_argument("schedule step " + std::to_string(step) + ": " + what);
}

}  // namespace

std::vector<std::vector<uint32_t>> NonLinearStep::windows(const TensorInfo& in_shape,
                                                          const TensorInfo& out_shape) const {
  std::vector<std::vector<uint32_t>> wins(out_shape.size());
  if (kind == NonLinearKind::kRelu) {
    for (size_t i = 0; i < wins.size(); ++i) wins[i] = {uint32_t(i)};
    return wins;
  }
  for (int c = 0; c < out_shape.c; ++c) {
    for (int oy = 0; oy < out_shape.h; ++oy) {
      for (int ox = 0; ox < out_shape.w; ++ox) {
        auto& win = wins[(size_t(c) * out_shape.h + oy) * out_shape.w + ox];
        // Clamping an overhanging tap to the nearest in-bounds element of the same window
        // keeps the max: that element is in the window too.
        for (int dy = 0; dy < pool_k; ++dy) {
          const int iy =
              std::clamp(oy * pool_stride - pool_pad + dy, std::max(0, oy * pool_stride - pool_pad),
                         std::min(in_shape.h, oy * pool_stride - pool_pad + pool_k) - 1);
          for (int dx = 0; dx < pool_k; ++dx) {
            const int ix = std::clamp(
                ox * pool_stride - pool_pad + dx, std::max(0, ox * pool_stride - pool_pad),
                std::min(in_shape.w, ox * pool_stride - pool_pad + pool_k) - 1);
            win.push_back(uint32_t((size_t(c) * in_shape.h + iy) * in_shape.w + ix));
          }
        }
      }
    }
  }
  return wins;
}

std::vector<bool> Schedule::masked() const {
  std::vector<bool> m(tensors.size(), false);
  for (const auto& s : steps) {
    if (const auto* a = std::get_if<AffineStep>(&s)) {
      for (const auto& t : a->he_terms) m[t.in] = true;
      for (const auto& t : a->scale_terms) m[t.in] = true;
    }
  }
  return m;
}

void Schedule::validate() const {
  if (ell < 2 || ell > 64 || f < 0 || f_w < 0 || f + f_w >= ell) {
    throw std::invalid_argument("schedule: need 0 <= f, f_w and f + f_w < ell <= 64");
  }
  if (input >= tensors.size() || output >= tensors.size()) {
    throw std::invalid_argument("schedule: input or output tensor out of range");
  }
  // 0: not yet produced, 1: a masked value (input or non-linear output), 2: an affine output.
  std::vector<int> state(tensors.size(), 0);
  state[input] = 1;
  auto need = [&](size_t i, size_t t, int kind, const char* what) {
    if (t >= tensors.size()) fail(i, std::string(what) + " tensor out of range");
    if (state[t] != kind) {
      fail(i, std::string(what) + " tensor " + std::to_string(t) +
                  (state[t] == 0 ? " is read before it is produced"
                                 : " has the wrong kind (affine outputs feed only non-linear "
                                   "steps)"));
    }
  };
  auto produce = [&](size_t i, size_t t, int kind) {
    if (t >= tensors.size()) fail(i, "output tensor out of range");
    if (state[t] != 0) fail(i, "tensor " + std::to_string(t) + " is produced twice");
    state[t] = kind;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    if (const auto* a = std::get_if<AffineStep>(&steps[i])) {
      const size_t out_size = tensors.at(a->out).size();
      if (a->he_terms.empty() && a->scale_terms.empty()) fail(i, "an affine step with no terms");
      for (const auto& t : a->he_terms) {
        need(i, t.in, 1, "input");
        t.geometry.validate();
        if (t.geometry.in_size() != tensors[t.in].size() || t.geometry.out_size() != out_size) {
          fail(i, "a term's geometry does not match its tensors");
        }
        if (!t.weights.empty() && t.weights.size() != t.geometry.weight_count()) {
          fail(i, "a term has the wrong number of weights");
        }
      }
      for (const auto& t : a->scale_terms) {
        need(i, t.in, 1, "input");
        if (tensors[t.in].size() != out_size) fail(i, "a scale term changes the size");
      }
      if (!a->bias.empty() && a->bias.size() != out_size) fail(i, "bias size mismatch");
      produce(i, a->out, 2);
    } else {
      const auto& n = std::get<NonLinearStep>(steps[i]);
      need(i, n.in, 2, "input");
      produce(i, n.out, 1);
      const TensorInfo& in = tensors[n.in];
      const TensorInfo& out = tensors[n.out];
      if (n.kind == NonLinearKind::kRelu && in.size() != out.size()) fail(i, "ReLU changes size");
      if (n.kind == NonLinearKind::kMaxPoolRelu) {
        if (n.pool_k < 1 || n.pool_stride < 1 || n.pool_pad < 0 || n.pool_pad >= n.pool_k ||
            in.h + 2 * n.pool_pad < n.pool_k || in.w + 2 * n.pool_pad < n.pool_k) {
          fail(i, "invalid max-pool window");
        }
        if (out.c != in.c || out.h != (in.h + 2 * n.pool_pad - n.pool_k) / n.pool_stride + 1 ||
            out.w != (in.w + 2 * n.pool_pad - n.pool_k) / n.pool_stride + 1) {
          fail(i, "max-pool window does not match the tensor shapes");
        }
      }
    }
  }
  if (state[output] != 2)
    throw std::invalid_argument("schedule: the output is not an affine output");
}

Schedule Schedule::architecture() const {
  Schedule s = *this;
  for (auto& step : s.steps) {
    if (auto* a = std::get_if<AffineStep>(&step)) {
      a->bias.clear();
      for (auto& t : a->he_terms) t.weights.clear();
    }
  }
  return s;
}

}  // namespace pg::protocol
