//! Conveniences for embedding: public constants as signed integers, sums, `Debug` for a
//! session, `?` on preprocessing errors, and the parameter check between a session's spec and
//! the party's parameter set.
//!
//! Every example below runs two parties in one process over the in-memory mesh, on the
//! INSECURE test dealer (`spdz2k-prep`'s `insecure-dealer` feature), through this helper:
//!
//! ```
//! # use spdz2k_engine::{EngineError, Session, SessionOptions};
//! # use spdz2k_net::{MemoryMesh, MemoryTransport, Transport};
//! # use spdz2k_prep::InsecureDealerSource;
//! # use spdz2k_ring::K64S64;
//! type S = Session<K64S64, MemoryTransport, InsecureDealerSource<K64S64>>;
//! /// Runs `f` as each of two parties and returns party 0's result.
//! async fn two_parties<F, Fut, R>(f: F) -> R
//! where
//!     F: Fn(S) -> Fut + Clone + Send + 'static,
//!     Fut: std::future::Future<Output = Result<R, EngineError>> + Send + 'static,
//!     R: Send + 'static,
//! {
//!     let sid = spdz2k_core::SessionId::new("doc").unwrap();
//!     let mut tasks = Vec::new();
//!     for t in MemoryMesh::connect(2, sid, std::time::Duration::from_secs(5)) {
//!         let prep = InsecureDealerSource::<K64S64>::new(t.party(), 2, [7; 32]).unwrap();
//!         let s = Session::new(t, prep, SessionOptions::default()).unwrap();
//!         tasks.push(tokio::spawn(f.clone()(s)));
//!     }
//!     let mut out = Vec::new();
//!     for t in tasks {
//!         out.push(t.await.unwrap().unwrap());
//!     }
//!     out.swap_remove(0)
//! }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let opened = two_parties(|mut s: S| async move {
//!     let x = s.input_signed(0, (s.party() == 0).then_some(&[-3i128, 4][..]), 2).await?;
//!     let y = s.mul_public_signed(&x, &[5, -1])?; // [-15, -4]
//!     let z = s.add_public_signed(&y, &[1, 1])?; // [-14, -3]
//!     let total = s.sum(&z); // [-17]
//!     let v = s.open_signed(&total).await?;
//!     s.finish().await?;
//!     Ok(v)
//! })
//! .await;
//! assert_eq!(opened, vec![-17]);
//! # }
//! ```

use crate::error::EngineError;
use crate::secret::Secret;
use crate::session::Session;
use spdz2k_net::Transport;
use spdz2k_prep::{PrepError, Preprocessing};
use spdz2k_ring::Params;

impl From<PrepError> for EngineError {
    /// A preprocessing error met outside a session (making a source, opening a file), so
    /// that `?` works in a function returning [`EngineError`].
    fn from(source: PrepError) -> Self {
        EngineError::Preprocessing(source)
    }
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> Session<P, T, Pr> {
    /// \[a\] + c elementwise, for public signed constants (taken mod 2^k); no communication.
    /// Fails if `c` and `a` differ in length.
    pub fn add_public_signed(&self, a: &Secret<P>, c: &[i128]) -> Result<Secret<P>, EngineError> {
        self.add_public(a, &words::<P>(c))
    }

    /// c * \[a\] elementwise, for public signed constants (taken mod 2^k); no communication.
    /// Fails if `c` and `a` differ in length.
    pub fn mul_public_signed(&self, a: &Secret<P>, c: &[i128]) -> Result<Secret<P>, EngineError> {
        self.mul_public(a, &words::<P>(c))
    }

    /// c * \[a\] for one public signed constant; no communication.
    pub fn scale_signed(&self, a: &Secret<P>, c: i128) -> Secret<P> {
        self.scale(a, P::from_i128(c))
    }

    /// Public signed values as a secret (every party must pass the same ones); no
    /// communication.
    pub fn constant_signed(&self, c: &[i128]) -> Secret<P> {
        self.constant(&words::<P>(c))
    }

    /// The sum of a secret vector's elements, as a secret of length 1; no communication.
    pub fn sum(&self, a: &Secret<P>) -> Secret<P> {
        Secret::new(a.shares.sum())
    }
}

fn words<P: Params>(c: &[i128]) -> Vec<P::Word> {
    c.iter().map(|&x| P::from_i128(x)).collect()
}

impl<P: Params, T: Transport, Pr: Preprocessing<P>> core::fmt::Debug for Session<P, T, Pr> {
    /// The session's identity and counters; never a share, a MAC or the key.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("party", &self.party)
            .field("n_parties", &self.n_parties())
            .field("session", &self.session)
            .field("params", &P::NAME)
            .field("report", &self.report())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SessionOptions;
    use crate::error::check_params;
    use spdz2k_net::{MemoryMesh, MemoryTransport, NetError, TrafficStats};
    use spdz2k_prep::InsecureDealerSource;
    use spdz2k_ring::{K32S32, K64S64};

    /// A memory transport that says its session was agreed for K32S32.
    struct SpecK32(MemoryTransport);

    impl Transport for SpecK32 {
        fn party(&self) -> usize {
            self.0.party()
        }
        fn n_parties(&self) -> usize {
            self.0.n_parties()
        }
        fn session_id(&self) -> &spdz2k_core::SessionId {
            self.0.session_id()
        }
        fn begin_round(&mut self, phase: &'static str) {
            self.0.begin_round(phase)
        }
        async fn send(&mut self, to: usize, msg: Vec<u8>) -> Result<(), NetError> {
            self.0.send(to, msg).await
        }
        async fn recv(&mut self, from: usize) -> Result<Vec<u8>, NetError> {
            self.0.recv(from).await
        }
        fn stats(&self) -> TrafficStats {
            self.0.stats()
        }
        fn params(&self) -> Option<spdz2k_ring::ParamsId> {
            Some(K32S32::id())
        }
    }

    #[test]
    fn a_k64_party_refuses_a_session_agreed_for_k32() {
        let sid = spdz2k_core::SessionId::new("s").unwrap();
        let t = MemoryMesh::connect(2, sid, std::time::Duration::from_secs(1))
            .into_iter()
            .next()
            .unwrap();
        let prep = InsecureDealerSource::<K64S64>::new(0, 2, [1; 32]).unwrap();
        let e = Session::new(SpecK32(t), prep, SessionOptions::default()).unwrap_err();
        assert!(matches!(e, EngineError::ParamsMismatch { .. }), "{e}");
    }

    #[test]
    fn prep_errors_convert_for_question_mark() {
        fn make() -> Result<InsecureDealerSource<K64S64>, EngineError> {
            Ok(InsecureDealerSource::<K64S64>::new(5, 2, [1; 32])?)
        }
        let e = make().unwrap_err();
        assert!(matches!(e, EngineError::Preprocessing(_)), "{e}");
    }

    #[test]
    fn a_spec_for_other_parameters_is_refused_with_both_named() {
        let sid = spdz2k_core::SessionId::new("s").unwrap();
        assert!(check_params::<K64S64>(0, &sid, Some(K64S64::id())).is_ok());
        assert!(check_params::<K64S64>(0, &sid, None).is_ok());
        let e = check_params::<K64S64>(1, &sid, Some(K32S32::id())).unwrap_err();
        assert!(matches!(e, EngineError::ParamsMismatch { party: 1, .. }));
        let text = e.to_string();
        assert!(
            text.contains("k=32,s=32") && text.contains("k=64,s=64"),
            "{text}"
        );
    }
}
