//! The hook adversarial tests use to make one party cheat (the `tamper-hooks` feature, off
//! by default).

use crate::phase::Phase;
use spdz2k_core::WireMsg;
use spdz2k_ring::Params;

/// Lets a test party alter what it sends (the `tamper-hooks` feature, off by default): called once per recipient for every message, so
/// a test can also send different messages to different parties. Honest code never sets one;
/// it exists so that every cheating path has a test proving it is caught.
pub trait TamperHook<P: Params>: Send {
    /// May change `msg` before it is sent to party `to` in `phase`.
    fn tamper(&mut self, phase: Phase, to: usize, msg: &mut WireMsg<P>);
}

impl<P: Params, F: FnMut(Phase, usize, &mut WireMsg<P>) + Send> TamperHook<P> for F {
    fn tamper(&mut self, phase: Phase, to: usize, msg: &mut WireMsg<P>) {
        self(phase, to, msg)
    }
}
