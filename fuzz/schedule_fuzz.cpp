// Fuzzes the architecture parser that the client runs on the server's handshake bytes.
#include <cstdint>
#include <vector>

#include "core/prg.h"
#include "nn/kernels/conv_geometry.h"
#include "protocol/schedule_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pg::core::ByteReader r({data, size});
  (void)pg::protocol::read_architecture(r);
  return 0;
}

extern "C" void pg_fuzz_seed_inputs(std::vector<std::vector<uint8_t>>* out) {
  using namespace pg::protocol;
  Schedule s;
  s.ell = 32;
  s.f = 8;
  s.f_w = 8;
  s.tensors = {{1, 6, 6}, {2, 4, 4}, {2, 2, 2}, {3, 1, 1}};
  HeTerm conv;
  conv.geometry = pg::nn::kernels::square_conv(1, 6, 6, 2, 3);
  s.steps.push_back(AffineStep{1, {conv}, {}, {}});
  NonLinearStep pool;
  pool.in = 1;
  pool.out = 2;
  pool.kind = NonLinearKind::kMaxPoolRelu;
  pool.pool_k = 2;
  pool.pool_stride = 2;
  s.steps.push_back(pool);
  HeTerm fc;
  fc.in = 2;
  fc.dense = true;
  fc.geometry = pg::nn::kernels::dense_geometry(8, 3);
  s.steps.push_back(AffineStep{3, {fc}, {}, {}});
  s.output = 3;
  pg::core::ByteWriter w;
  write_architecture(w, s);
  out->push_back(w.bytes());
}
