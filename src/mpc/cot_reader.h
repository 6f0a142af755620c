// The garbler's window onto a long run of correlated OTs: it pulls them from the IKNP sender in
// the same batches the receiver produced with one recv_cot() call, only when the garbling needs
// them, so the garbler holds a few batches of zero labels instead of the whole layer's.
#pragma once

#include <cstddef>

#include "mpc/channel.h"
#include "mpc/iknp.h"

namespace pg::mpc {

class CotReader {
 public:
  // `total` must equal the receiver's recv_cot() count for this run.
  CotReader(IknpSender& ot, Channel& ch, size_t total) : ot_(ot), ch_(ch), total_(total) {}

  // Makes q[lo, hi) available and returns a pointer to q[lo]. lo must not decrease from one
  // call to the next; what lies before lo's batch is dropped.
  const Block* get(size_t lo, size_t hi);

 private:
  IknpSender& ot_;
  Channel& ch_;
  size_t total_;
  SecretBlocks buf_;
  size_t start_ = 0;  // index of buf_[0] (a batch boundary)
  size_t end_ = 0;    // one past the last fetched index
};

}  // namespace pg::mpc
