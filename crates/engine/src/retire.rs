//! Retiring the MAC key set after a failed check, and the loud complaint of a session
//! dropped with unchecked openings.

use crate::error::{AbortCause, EngineError};
use crate::session::Session;
use spdz2k_core::AbortReason;
use spdz2k_net::Transport;
use spdz2k_prep::{Preprocessing, RetireCause};
use spdz2k_ring::Params;
use tracing::error;

/// Whether a failure may have told a cheater something about the MAC key: a failed MAC
/// check, a commitment opened to another value, different broadcast transcripts, or any
/// failure while this party's z_i was out and the verdict unknown.
pub(crate) fn retires_key(reason: Option<&AbortReason>, z_revealed: bool) -> bool {
    z_revealed
        || matches!(
            reason,
            Some(
                AbortReason::MacCheckFailed { .. }
                    | AbortReason::CommitmentMismatch { .. }
                    | AbortReason::TranscriptMismatch { .. }
            )
        )
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// Retires the key set if `err` is a failed check (see [`retires_key`]). Called before
    /// the abort is reported. A marker that cannot be written is logged as an error naming
    /// the fix; the abort itself stands.
    pub(crate) fn retire_after(&mut self, err: &EngineError, cause: &AbortCause) {
        let reason = match err {
            EngineError::Aborted { reason, .. } => Some(reason),
            _ => None,
        };
        if !retires_key(reason, self.z_revealed) {
            return;
        }
        let retire = RetireCause::new(self.session_id(), self.party(), cause.to_string());
        if let Err(e) = self.prep.retire(&retire) {
            error!(parent: &self.span, error = %e,
                "COULD NOT RETIRE the MAC key set after a failed check: never use this \
                 preprocessing again; delete it and generate fresh preprocessing");
        }
    }
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Drop for Session<P, T, Pr> {
    fn drop(&mut self) {
        if self.unchecked() {
            error!(parent: &self.span,
                pending = self.pending_checks(),
                "SECURITY: insufficient checking: the session was dropped with opened values or \
                 broadcasts no MAC check covered; call Session::finish (or check) before \
                 dropping a session, and do not trust anything derived from those openings");
        }
    }
}
