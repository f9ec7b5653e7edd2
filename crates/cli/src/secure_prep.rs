//! Where a party's preprocessing comes from once its session is open: material that is
//! ready (a file or the insecure dealer), or material generated securely inside the
//! session by the OT-based SPDZ2k offline phase over the same TLS session transport.

use crate::CliError;
use spdz2k::{Params, Preprocessing, TlsSession, Transport};
use spdz2k_offline::{OfflineError, SECURE_TRIPLE_BATCH, generate_secure};
use spdz2k_prep::{MemoryStore, PrepCounts};
use spdz2k_ring::HasCheckRing;
use std::future::Future;
use std::time::Instant;

impl From<OfflineError> for CliError {
    fn from(e: OfflineError) -> Self {
        CliError::Offline(Box::new(e))
    }
}

/// Makes a party's preprocessing once its session transport is open and the run's needs
/// are known.
pub trait MakePrep<P: Params>: Send {
    /// The source the engine consumes.
    type Store: Preprocessing<P> + Send;
    /// Makes the source (it may talk to the peers over `t`).
    fn make(
        self,
        t: &mut TlsSession,
        needs: &PrepCounts,
    ) -> impl Future<Output = Result<Self::Store, CliError>> + Send;
}

/// Preprocessing that exists already (a file, or the insecure dealer).
pub struct Ready<Pr>(pub Pr);

impl<Pr> std::fmt::Debug for Ready<Pr> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The store holds secret shares: only its type is shown.
        write!(f, "Ready<{}>", std::any::type_name::<Pr>())
    }
}

impl<P: Params, Pr: Preprocessing<P> + Send> MakePrep<P> for Ready<Pr> {
    type Store = Pr;
    async fn make(self, _t: &mut TlsSession, _needs: &PrepCounts) -> Result<Pr, CliError> {
        Ok(self.0)
    }
}

/// Secure preprocessing: exactly what the run needs, generated in the session by the
/// OT-based SPDZ2k offline phase (SoftSpokenOT between every pair of parties).
#[derive(Debug)]
pub struct Generate;

impl<P: HasCheckRing> MakePrep<P> for Generate {
    type Store = MemoryStore<P>;
    async fn make(
        self,
        t: &mut TlsSession,
        needs: &PrepCounts,
    ) -> Result<MemoryStore<P>, CliError> {
        let me = t.party();
        let (before, start) = (t.stats().bytes_sent, Instant::now());
        let store = generate_secure::<P, _>(t, needs, SECURE_TRIPLE_BATCH).await?;
        let secs = start.elapsed().as_secs_f64();
        let sent = t.stats().bytes_sent - before;
        let masks: u64 = needs.input_masks.iter().sum();
        say!(
            "P{me}: offline phase done: {} triples, {} randoms and open masks, {masks} input \
             masks generated and checked; sent {sent} bytes in {secs:.2} s",
            needs.triples,
            needs.randoms + needs.open_masks,
        );
        Ok(store)
    }
}
