//! A party: its preprocessing and options, ready to join sessions.

use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_net::Transport;
use spdz2k_prep::Preprocessing;
use spdz2k_ring::Params;

/// One party of a computation: its preprocessing source and session options. It joins a
/// session over a transport that identifies the session and the other parties.
pub struct Party<P: Params, Pr: Preprocessing<P>> {
    prep: Pr,
    options: SessionOptions,
    _params: core::marker::PhantomData<P>,
}

impl<P: Params, Pr: Preprocessing<P>> core::fmt::Debug for Party<P, Pr> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The preprocessing holds secret shares and the MAC key share: only its type shows.
        f.debug_struct("Party")
            .field("params", &P::id())
            .field("prep", &core::any::type_name::<Pr>())
            .field("options", &self.options)
            .finish()
    }
}

impl<P: Params, Pr: Preprocessing<P>> Party<P, Pr> {
    /// A party with this preprocessing and default options.
    pub fn new(prep: Pr) -> Self {
        Self {
            prep,
            options: SessionOptions::default(),
            _params: core::marker::PhantomData,
        }
    }
    /// Runs a MAC check whenever this many opened values are pending.
    pub fn with_check_bound(mut self, bound: usize) -> Self {
        self.options.check_bound = bound;
        self
    }
    /// Joins the session carried by `transport`.
    pub fn join<T: Transport>(self, transport: T) -> Result<Session<P, T, Pr>, EngineError> {
        Session::new(transport, self.prep, self.options)
    }
}
