// Fuzzes the plan parsers: the architecture the client reads from the server's handshake, and
// the weights part read against it.
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "nn/plan_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pg::core::ByteReader r({data, size});
  auto arch = pg::nn::read_architecture(r);
  if (arch.ok()) {
    pg::nn::Plan p = std::move(arch).value();
    (void)pg::nn::read_weights(r, p);
  }
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  using namespace pg::nn;
  // conv → max-pool + ReLU → dense → truncate → dense + a public term.
  Plan s;
  s.ell = 32;
  s.f = 8;
  s.f_w = 8;
  s.tensors = {{1, 6, 6}, {2, 4, 4}, {2, 2, 2}, {3, 1, 1}, {3, 1, 1}, {3, 1, 1}};
  HeTerm conv;
  conv.geometry = pg::nn::kernels::square_conv(1, 6, 6, 2, 3);
  conv.weights = std::vector<int64_t>(conv.geometry.weight_count(), 1);
  s.steps.push_back(AffineStep{1, {conv}, {}, std::vector<int64_t>(32, -3)});
  NonLinearStep pool;
  pool.in = 1;
  pool.out = 2;
  pool.kind = NonLinearKind::kMaxPoolRelu;
  pool.pool = PoolWindow{2, 2, 2, 2, 0, 0, 0, 0};
  s.steps.push_back(pool);
  HeTerm fc;
  fc.in = 2;
  fc.dense = true;
  fc.geometry = pg::nn::kernels::dense_geometry(8, 3);
  fc.weights = std::vector<int64_t>(24, 0);
  s.steps.push_back(AffineStep{3, {fc}, {}, std::vector<int64_t>(3, 5)});
  NonLinearStep trunc;
  trunc.in = 3;
  trunc.out = 4;
  trunc.kind = NonLinearKind::kTruncate;
  s.steps.push_back(trunc);
  HeTerm fc2;
  fc2.in = 4;
  fc2.dense = true;
  fc2.geometry = pg::nn::kernels::dense_geometry(3, 3);
  fc2.weights = std::vector<int64_t>(9, -1);
  s.steps.push_back(
      AffineStep{5, {fc2}, {PublicTerm{4, 256, 1, 0, 0}}, std::vector<int64_t>(3, 1)});
  s.output = 5;
  pg::core::ByteWriter w;
  write_architecture(w, s);
  write_weights(w, s);
  out->push_back(w.bytes());
}
