//! The session-start agreement on preprocessing (sans-IO core: [`spdz2k_prep::Pairing`]).

use crate::error::EngineError;
use crate::phase::Phase;
use crate::session::Session;
use spdz2k_net::Transport;
use spdz2k_prep::{Pairing, PrepCounts, PrepFingerprint, Preprocessing};
use spdz2k_ring::Params;
use tracing::{info, warn};

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Items discarded at session start, per kind; `None` before the agreement ran.
    pub fn prep_discarded(&self) -> Option<&PrepCounts> {
        self.discarded.as_ref()
    }

    /// The session-start agreement on preprocessing (one round, every party): the parties
    /// compare parameters, MAC key set ID, deal ID, items dealt and every cursor, refuse
    /// material that does not belong together, check that every party's material covers
    /// `needed`, and skip to the furthest cursor. Returns what this party discarded.
    ///
    /// Call it first, before any input, with what the program needs; it runs by itself
    /// (with nothing needed) before the first use of preprocessing otherwise. Nothing is
    /// used before it passes. The MAC key share is never sent.
    ///
    /// # Errors
    /// [`EngineError::Prep`] with [`spdz2k_prep::PrepError::Unpaired`] or
    /// [`spdz2k_prep::PrepError::PartyShort`]
    /// (the same on every party), a network error, or a usage error if it already ran.
    pub async fn agree(&mut self, needed: &PrepCounts) -> Result<PrepCounts, EngineError> {
        self.live()?;
        if self.discarded.is_some() {
            return Err(self.usage(
                "the parties already agreed on preprocessing in this session; call agree() \
                 once, before anything is used",
            ));
        }
        let r = self.agree_inner(needed).await;
        self.guarded(r)
    }

    async fn agree_inner(&mut self, needed: &PrepCounts) -> Result<PrepCounts, EngineError> {
        let (pairing, msg) =
            Pairing::start(PrepFingerprint::of::<P, Pr>(&self.prep), needed.clone());
        self.transport.begin_round(Phase::PrepAgreement.name());
        self.transport.broadcast(msg).await?;
        let msgs = self.transport.recv_all().await?;
        let outcome = pairing.receive(&msgs).map_err(|e| self.prep_err(e))?;
        let discarded = self
            .prep
            .skip_to(&outcome.cursor)
            .map_err(|e| self.prep_err(e))?;
        if discarded.sum() > 0 {
            warn!(parent: &self.span, discarded = ?discarded,
                cursor = ?outcome.cursor,
                "preprocessing agreed; skipped items used or lost earlier so none is used twice");
        } else {
            info!(parent: &self.span, cursor = ?outcome.cursor,
                "preprocessing agreed");
        }
        self.discarded = Some(discarded.clone());
        Ok(discarded)
    }

    /// Runs the agreement (needing nothing) unless it already ran: before any item is used.
    pub(crate) async fn ensure_agreed(&mut self) -> Result<(), EngineError> {
        if self.discarded.is_none() {
            self.agree_inner(&PrepCounts::default()).await?;
        }
        Ok(())
    }
}
