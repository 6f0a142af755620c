// The per-session two-party state that all non-linear layers of one inference session share:
// the CSPRNG, the OT extension (base OTs run once in setup()), and the AND-gate tweak counter.
// The server is the garbler: it draws the garbling Δ (lsb 1), which is also the correlation of
// its IKNP sender, so that correlated OTs hand the client its input labels directly. The client
// is the evaluator and the IKNP receiver.
//
// Both parties must prepare layers in the same order: each layer reserves its tweak range from
// the counter at offline time, and the two counters must agree.
#pragma once

#include <cstdint>

#include "core/prg.h"
#include "mpc/channel.h"
#include "mpc/half_gates.h"
#include "mpc/iknp.h"

namespace pg::mpc {

// The session's AND gate-lane counter (see half_gates.h); both parties advance it alike.
class TweakCounter {
 public:
  // Reserves n consecutive tweaks; returns the first.
  uint64_t reserve(uint64_t n) {
    const uint64_t base = next_;
    next_ += n;
    return base;
  }

 private:
  uint64_t next_ = 0;
};

class GarblerSession {
 public:
  // Seeds its CSPRNG from the OS (core::Prg::from_os) and draws Δ.
  GarblerSession();
  GarblerSession(const GarblerSession&) = delete;
  GarblerSession& operator=(const GarblerSession&) = delete;

  // The OT extension's base OTs; once per session, before any layer's offline().
  void setup(Channel& ch);
  bool ready() const { return ot_.ready(); }

  IknpSender& ot() { return ot_; }
  const HalfGateGarbler& garbler() const { return gc_; }
  core::Prg& prg() { return prg_; }
  // Reserves n consecutive AND gate-lane tweaks; returns the first.
  uint64_t reserve_tweaks(uint64_t n) { return tweaks_.reserve(n); }

 private:
  core::Prg prg_;
  HalfGateGarbler gc_;
  IknpSender ot_;
  TweakCounter tweaks_;
};

class EvaluatorSession {
 public:
  EvaluatorSession();
  EvaluatorSession(const EvaluatorSession&) = delete;
  EvaluatorSession& operator=(const EvaluatorSession&) = delete;

  void setup(Channel& ch);
  bool ready() const { return ot_.ready(); }

  IknpReceiver& ot() { return ot_; }
  const HalfGateEvaluator& evaluator() const { return gc_; }
  core::Prg& prg() { return prg_; }
  uint64_t reserve_tweaks(uint64_t n) { return tweaks_.reserve(n); }

 private:
  core::Prg prg_;
  HalfGateEvaluator gc_;
  IknpReceiver ot_;
  TweakCounter tweaks_;
};

}  // namespace pg::mpc
