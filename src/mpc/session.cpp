#include "mpc/session.h"

#include "core/secure.h"

namespace pg::mpc {
namespace {

Block draw_delta(core::Prg& prg) {
  return prg.next_block() | make_block(0, 1);
}

}  // namespace

GarblerSession::GarblerSession()
    : prg_(core::Prg::from_os()), gc_(draw_delta(prg_)), ot_(gc_.delta()) {}

void GarblerSession::setup(Channel& ch) {
  ot_.setup(ch, prg_);
}

EvaluatorSession::EvaluatorSession() : prg_(core::Prg::from_os()) {}

void EvaluatorSession::setup(Channel& ch) {
  ot_.setup(ch, prg_);
}

}  // namespace pg::mpc
