#include "mpc/nonlinear_spec.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

#include "core/assert.h"
#include "mpc/iknp.h"
#include "mpc/int_circuits.h"

namespace pg::mpc {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("non-linear layer spec: " + what);
}

// Bytes of the IKNP u matrix for n OTs: each batch is padded to a multiple of 128 columns.
uint64_t iknp_bytes(uint64_t n) {
  uint64_t bytes = 0;
  for (uint64_t off = 0; off < n; off += kIknpBatch) {
    const uint64_t m = std::min<uint64_t>(kIknpBatch, n - off);
    bytes += kIknpBaseOts * ((m + 127) / 128) * 16;
  }
  return bytes;
}

}  // namespace

void validate(const NonLinearSpec& spec) {
  if (spec.ell < 1 || spec.ell > 64) bad("ℓ must be in [1, 64], got " + std::to_string(spec.ell));
  if (spec.shift >= spec.ell) {
    bad("the shift (" + std::to_string(spec.shift) + ") must be below ℓ (" +
        std::to_string(spec.ell) + ")");
  }
  if (spec.n_in == 0) bad("no input elements");
  if (spec.n_in > (uint64_t{1} << 32)) bad("more than 2^32 input elements");
  switch (spec.kind) {
    case NonLinearKind::kReluTruncate:
      if (!spec.windows.empty()) bad("ReLU takes no windows");
      break;
    case NonLinearKind::kTruncateRemask:
      if (!spec.windows.empty()) bad("truncate-remask takes no windows");
      break;
    case NonLinearKind::kMaxPoolReluTruncate:
      if (spec.windows.empty()) bad("max-pool needs at least one window");
      for (size_t o = 0; o < spec.windows.size(); ++o) {
        if (spec.windows[o].empty()) bad("window " + std::to_string(o) + " is empty");
        for (uint32_t i : spec.windows[o]) {
          if (i >= spec.n_in) {
            bad("window " + std::to_string(o) + " reads input " + std::to_string(i) + " of " +
                std::to_string(spec.n_in));
          }
        }
      }
      break;
    case NonLinearKind::kArgmax:
      if (spec.shift != 0) bad("argmax takes no shift");
      if (!spec.windows.empty()) bad("argmax takes no windows");
      break;
    default:
      bad("unknown kind");
  }
}

size_t num_outputs(const NonLinearSpec& spec) {
  switch (spec.kind) {
    case NonLinearKind::kReluTruncate:
    case NonLinearKind::kTruncateRemask:
      return spec.n_in;
    case NonLinearKind::kMaxPoolReluTruncate:
      return spec.windows.size();
    case NonLinearKind::kArgmax:
      return 1;
  }
  return 0;
}

LayerPlan::LayerPlan(const NonLinearSpec& s) : spec(s) {
  validate(spec);
  width = spec.ell - spec.shift;
  num_outputs_ = mpc::num_outputs(spec);
  adder = circuits::share_adder(spec.ell, spec.shift);
  if (spec.kind == NonLinearKind::kArgmax) {
    remask = false;
    out_bits = circuits::index_bits(spec.n_in);
    groups.push_back({circuits::argmax(spec.ell, spec.n_in), spec.n_in, {0}});
    make_steps();
    return;
  }
  out_bits = spec.ell;
  if (spec.kind == NonLinearKind::kReluTruncate || spec.kind == NonLinearKind::kTruncateRemask) {
    fused = true;
    Group g{spec.kind == NonLinearKind::kReluTruncate
                ? circuits::window_relu_remask(spec.ell, spec.shift, 1)
                : circuits::truncate_remask(spec.ell, spec.shift),
            1,
            {}};
    g.outputs.resize(spec.n_in);
    for (size_t o = 0; o < spec.n_in; ++o) g.outputs[o] = static_cast<uint32_t>(o);
    groups.push_back(std::move(g));
    make_steps();
    return;
  }
  std::map<size_t, std::vector<uint32_t>> by_size;
  for (size_t o = 0; o < spec.windows.size(); ++o) {
    by_size[spec.windows[o].size()].push_back(static_cast<uint32_t>(o));
  }
  for (auto& [k, outs] : by_size) {
    groups.push_back({circuits::window_relu_remask(spec.ell, spec.shift, k), k, std::move(outs)});
  }
  make_steps();
}

void LayerPlan::make_steps() {
  uint64_t offset = 0;
  auto add = [&](Step::Kind kind, size_t group, size_t begin, size_t end) {
    steps.push_back({kind, group, begin, end, offset});
    offset += step_and_gates(steps.back());
  };
  const Step::Kind phase_a = fused ? Step::Kind::kFused : Step::Kind::kAdders;
  for (size_t e = 0; e < spec.n_in; e += kOnlineChunk) {
    add(phase_a, 0, e, std::min(spec.n_in, e + kOnlineChunk));
  }
  first_window_step = steps.size();
  if (fused) return;
  for (size_t g = 0; g < groups.size(); ++g) {
    const size_t n = groups[g].outputs.size();
    for (size_t j = 0; j < n; j += kOnlineChunk) {
      add(Step::Kind::kWindows, g, j, std::min(n, j + kOnlineChunk));
    }
  }
  PG_ASSERT(offset == and_gates(), "steps do not cover the layer");
}

uint64_t LayerPlan::step_and_gates(const Step& s) const {
  const uint64_t n = s.end - s.begin;
  switch (s.kind) {
    case Step::Kind::kFused:
      return n * (adder.and_count() + groups[0].circuit.and_count());
    case Step::Kind::kAdders:
      return n * adder.and_count();
    case Step::Kind::kWindows:
      return n * groups[s.group].circuit.and_count();
  }
  return 0;
}

uint32_t LayerPlan::window_input(size_t o, size_t s) const {
  switch (spec.kind) {
    case NonLinearKind::kReluTruncate:
    case NonLinearKind::kTruncateRemask:
      return static_cast<uint32_t>(o);
    case NonLinearKind::kMaxPoolReluTruncate:
      return spec.windows[o][s];
    case NonLinearKind::kArgmax:
      return static_cast<uint32_t>(s);
  }
  return 0;
}

uint64_t LayerPlan::and_gates() const {
  uint64_t n = adder.and_count() * spec.n_in;
  for (const Group& g : groups) n += g.circuit.and_count() * g.outputs.size();
  return n;
}

uint64_t LayerPlan::cot_bits() const {
  return spec.ell * (spec.n_in + (remask ? num_outputs_ : 0));
}

NonLinearCost cost(const NonLinearSpec& spec) {
  const LayerPlan plan(spec);
  NonLinearCost c;
  c.and_gates = plan.and_gates();
  c.cot_bits = plan.cot_bits();
  c.offline_client_to_server = iknp_bytes(c.cot_bits);
  c.offline_server_to_client = 16 * plan.table_blocks();
  if (!plan.remask) c.offline_server_to_client += (plan.out_bits + 7) / 8;
  c.online_server_to_client = 16 * spec.ell * spec.n_in;
  c.online_client_to_server = plan.remask ? (plan.num_outputs() * spec.ell + 7) / 8 : 0;
  c.client_held_bytes =
      16 * (plan.table_blocks() + c.cot_bits) + (plan.remask ? 0 : bit_bytes(plan.out_bits));
  return c;
}

}  // namespace pg::mpc
