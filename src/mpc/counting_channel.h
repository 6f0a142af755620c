// A Channel wrapper that counts what passes through it, per named phase.
//
// Rounds: a round is a maximal run of traffic in one direction, as seen by this party. The count
// goes up by one at the first send or recv of a phase and at every change of direction after
// that, so a request followed by its reply is 2 rounds on each side, and an online non-linear
// layer (labels out, permute bits back) is 2. Flushes do not count.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "mpc/channel.h"

namespace pg::mpc {

struct TrafficStats {
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t rounds = 0;

  uint64_t bytes_total() const { return bytes_sent + bytes_received; }
  TrafficStats& operator+=(const TrafficStats& o);
};

class CountingChannel final : public Channel {
 public:
  // Does not own `inner`, which must outlive this wrapper. The initial phase is "default".
  explicit CountingChannel(Channel& inner) : inner_(inner) {}

  void send(const void* data, size_t n) override;
  void recv(void* data, size_t n) override;
  void flush() override { inner_.flush(); }

  // Counts from now on go to `phase` (created on first use). The direction is remembered across
  // phases, but the first transfer of a phase always starts a round of that phase.
  void set_phase(const std::string& phase);
  const std::string& phase() const { return phase_; }

  const std::map<std::string, TrafficStats>& phases() const { return stats_; }
  TrafficStats phase_stats(const std::string& phase) const;
  TrafficStats total() const;
  void reset();

 private:
  enum class Direction : uint8_t { kNone, kSend, kRecv };
  void note(Direction d);

  Channel& inner_;
  std::string phase_ = "default";
  std::map<std::string, TrafficStats> stats_;
  Direction last_ = Direction::kNone;
  bool phase_started_ = false;
};

// RAII: switches a CountingChannel to a phase and back to the previous one.
class PhaseScope {
 public:
  PhaseScope(CountingChannel& ch, const std::string& phase) : ch_(ch), previous_(ch.phase()) {
    ch_.set_phase(phase);
  }
  ~PhaseScope() { ch_.set_phase(previous_); }
  PhaseScope(const PhaseScope&) = delete;
  PhaseScope& operator=(const PhaseScope&) = delete;

 private:
  CountingChannel& ch_;
  std::string previous_;
};

}  // namespace pg::mpc
