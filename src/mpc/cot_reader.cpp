#include "mpc/cot_reader.h"

#include <algorithm>
#include <cstring>

#include "core/assert.h"

namespace pg::mpc {

const Block* CotReader::get(size_t lo, size_t hi) {
  PG_ASSERT(lo >= start_ && lo <= end_ && lo <= hi && hi <= total_,
            "CotReader: ranges must be requested in order, without gaps");
  const size_t keep_from = lo / kIknpBatch * kIknpBatch;
  if (keep_from > start_) {
    const size_t kept = end_ > keep_from ? end_ - keep_from : 0;
    std::memmove(buf_.data(), buf_.data() + (keep_from - start_), kept * sizeof(Block));
    buf_.resize(kept);
    start_ = keep_from;
  }
  while (end_ < hi) {
    const size_t n = std::min(kIknpBatch, total_ - end_);
    buf_.resize(end_ + n - start_);
    ot_.send_cot(ch_, buf_.data() + (end_ - start_), n);
    end_ += n;
  }
  return buf_.data() + (lo - start_);
}

}  // namespace pg::mpc
