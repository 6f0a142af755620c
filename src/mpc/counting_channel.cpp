#include "mpc/counting_channel.h"

namespace pg::mpc {

TrafficStats& TrafficStats::operator+=(const TrafficStats& o) {
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
  rounds += o.rounds;
  return *this;
}

void CountingChannel::note(Direction d) {
  if (!phase_started_ || d != last_) ++stats_[phase_].rounds;
  phase_started_ = true;
  last_ = d;
}

void CountingChannel::send(const void* data, size_t n) {
  inner_.send(data, n);
  if (n == 0) return;
  note(Direction::kSend);
  stats_[phase_].bytes_sent += n;
}

void CountingChannel::recv(void* data, size_t n) {
  inner_.recv(data, n);
  if (n == 0) return;
  note(Direction::kRecv);
  stats_[phase_].bytes_received += n;
}

void CountingChannel::set_phase(const std::string& phase) {
  if (phase == phase_) return;
  phase_ = phase;
  phase_started_ = false;
}

TrafficStats CountingChannel::phase_stats(const std::string& phase) const {
  const auto it = stats_.find(phase);
  return it == stats_.end() ? TrafficStats{} : it->second;
}

TrafficStats CountingChannel::total() const {
  TrafficStats t;
  for (const auto& [name, s] : stats_) t += s;
  return t;
}

void CountingChannel::reset() {
  stats_.clear();
  last_ = Direction::kNone;
  phase_started_ = false;
}

}  // namespace pg::mpc
