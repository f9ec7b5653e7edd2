//! Two parties (P0, which also proxies for P1, and P1) and a client C0 in one process, with
//! real keys. The parties' share vectors are dealt here the way the engine leaves them
//! after the output protocol step: x^ = x + 2^k r, b uniform, w = x^ b, additively shared.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rand::rngs::ChaCha20Rng;
use spdz2k_client::ClientSession;
use spdz2k_core::{SessionId, rng::seeded_rng};
use spdz2k_output::{
    Bundle, ClientId, ClientRegistry, Delivery, ExpectedClient, HpkePublicKey, InputTripleBundle,
    Label, OutputBundle, Registration, RunId, check_forwarded_envelope, seal_bundle,
};
use spdz2k_ring::Params;

/// The number of parties.
pub const PARTIES: usize = 2;

/// The parties' and the client's keys and state in one session.
pub struct World {
    /// The generator every key and share is drawn from.
    pub rng: ChaCha20Rng,
    /// The session.
    pub session: SessionId,
    /// The client's name.
    pub client_id: ClientId,
    /// The client's long-term signing key.
    pub client_identity: SigningKey,
    /// The client's identity key as every party pinned it.
    pub client_pin: VerifyingKey,
    /// Each party's signing key.
    pub parties: Vec<SigningKey>,
    /// Each party's registry (P1's receives the registration forwarded by P0).
    pub registries: Vec<ClientRegistry>,
    /// The client's state.
    pub client: ClientSession,
    /// The run the parties announced.
    pub run: RunId,
}

impl World {
    /// A world whose keys come from `seed`, in session `sess-A`, with the client registered.
    pub fn new(seed: u8) -> Self {
        Self::with_session(seed, "sess-A")
    }

    /// As [`World::new`] in session `session`.
    pub fn with_session(seed: u8, session: &str) -> Self {
        let mut rng = seeded_rng([seed; 32]);
        let session = SessionId::new(session).unwrap();
        let client_id = ClientId::new("C0").unwrap();
        let client_identity = SigningKey::generate(&mut rng);
        let parties: Vec<SigningKey> = (0..PARTIES)
            .map(|_| SigningKey::generate(&mut rng))
            .collect();
        let client = ClientSession::with_rng(
            session.clone(),
            client_id.clone(),
            client_identity.clone(),
            parties.iter().map(|k| k.verifying_key()).collect(),
            &mut rng,
        );
        let mut world = Self {
            rng,
            session,
            client_id,
            client_pin: client_identity.verifying_key(),
            client_identity,
            parties,
            registries: (0..PARTIES).map(|_| ClientRegistry::new()).collect(),
            client,
            run: RunId([seed; 32]),
        };
        world.register();
        world
    }

    /// The client sends its registration to P0, which forwards the same bytes to P1; each
    /// verifies it against its pinned client key.
    fn register(&mut self) {
        let bytes = self.client.registration(self.run);
        for party in 0..PARTIES {
            let reg = Registration::verify(&bytes, &self.expected()).unwrap();
            self.registries[party].register(&reg).unwrap();
        }
    }

    /// What every party expects of the client's signed messages in this run.
    pub fn expected(&self) -> ExpectedClient<'_> {
        ExpectedClient {
            client: &self.client_id,
            key: &self.client_pin,
            session: &self.session,
            run: &self.run,
        }
    }

    /// The client's HPKE key as party `party` registered it.
    pub fn client_key(&self, party: usize) -> HpkePublicKey {
        self.registries[party]
            .hpke_key(&self.session, &self.client_id)
            .unwrap()
            .clone()
    }

    /// What party `sender` delivers under `label` with sequence number `seq`.
    pub fn delivery(&self, sender: usize, label: &str, seq: u64) -> Delivery {
        Delivery {
            session: self.session.clone(),
            label: Label::new(label).unwrap(),
            client: self.client_id.clone(),
            sender,
            seq,
        }
    }

    /// Additive shares of the output step's (x^, b, w) for the secrets `xs`.
    pub fn deal_outputs<P: Params>(&mut self, xs: &[P::Word]) -> Vec<OutputBundle<P>> {
        let x_hat: Vec<_> = xs
            .iter()
            .map(|&x| P::add(x, P::lift_to_top(P::random(&mut self.rng))))
            .collect();
        let b: Vec<_> = xs.iter().map(|_| P::random(&mut self.rng)).collect();
        let w: Vec<_> = x_hat.iter().zip(&b).map(|(&x, &b)| P::mul(x, b)).collect();
        let [x0, x1] = self.split::<P>(&x_hat);
        let [b0, b1] = self.split::<P>(&b);
        let [w0, w1] = self.split::<P>(&w);
        vec![
            OutputBundle {
                x_hat: x0,
                b: b0,
                w: w0,
            },
            OutputBundle {
                x_hat: x1,
                b: b1,
                w: w1,
            },
        ]
    }

    /// Additive shares of m input triples; also returns the masks a.
    pub fn deal_triples<P: Params>(
        &mut self,
        m: usize,
    ) -> (Vec<InputTripleBundle<P>>, Vec<P::Word>) {
        let a: Vec<_> = (0..m).map(|_| P::random(&mut self.rng)).collect();
        let b: Vec<_> = (0..m).map(|_| P::random(&mut self.rng)).collect();
        let c: Vec<_> = a.iter().zip(&b).map(|(&a, &b)| P::mul(a, b)).collect();
        let [a0, a1] = self.split::<P>(&a);
        let [b0, b1] = self.split::<P>(&b);
        let [c0, c1] = self.split::<P>(&c);
        (
            vec![
                InputTripleBundle {
                    a: a0,
                    b: b0,
                    c: c0,
                },
                InputTripleBundle {
                    a: a1,
                    b: b1,
                    c: c1,
                },
            ],
            a,
        )
    }

    fn split<P: Params>(&mut self, v: &[P::Word]) -> [Vec<P::Word>; 2] {
        let r: Vec<_> = v.iter().map(|_| P::random(&mut self.rng)).collect();
        let rest = v.iter().zip(&r).map(|(&v, &r)| P::sub(v, r)).collect();
        [r, rest]
    }

    /// Each party seals its bundle; P1's envelope goes through P0, which checks it before
    /// forwarding. Returns what the client receives from P0: [P0's, P1's].
    pub fn seal_outputs<P: Params>(
        &mut self,
        bundles: &[OutputBundle<P>],
        label: &str,
        seq: u64,
    ) -> Vec<Vec<u8>> {
        self.seal_each(bundles, label, seq)
    }

    /// Each party seals its input triples; P1's envelope goes through P0's check.
    pub fn seal_triples<P: Params>(
        &mut self,
        bundles: &[InputTripleBundle<P>],
        label: &str,
        seq: u64,
    ) -> Vec<Vec<u8>> {
        self.seal_each(bundles, label, seq)
    }

    /// Every party seals its bundle of any kind (`output::seal_bundle`, the path both
    /// kinds share); P1's envelope goes through P0's forwarding check.
    fn seal_each<P: Params, B: Bundle<P>>(
        &mut self,
        bundles: &[B],
        label: &str,
        seq: u64,
    ) -> Vec<Vec<u8>> {
        let envelopes: Vec<Vec<u8>> = (0..PARTIES)
            .map(|i| {
                let d = self.delivery(i, label, seq);
                let key = self.client_key(i);
                seal_bundle::<P, B, _>(&d, &bundles[i], &key, &self.parties[i], &mut self.rng)
                    .unwrap()
            })
            .collect();
        self.proxy_check(&envelopes[1]);
        envelopes
    }

    /// P0's check on P1's envelope before it forwards it byte for byte.
    pub fn proxy_check(&self, from_p1: &[u8]) {
        check_forwarded_envelope(from_p1, 1, &self.parties[1].verifying_key(), &self.session)
            .unwrap();
    }

    /// Outputs for signed secrets, sealed and forwarded.
    pub fn outputs<P: Params>(&mut self, xs: &[i128], label: &str, seq: u64) -> Vec<Vec<u8>> {
        let words: Vec<_> = xs.iter().map(|&x| P::from_i128(x)).collect();
        let bundles = self.deal_outputs::<P>(&words);
        self.seal_outputs(&bundles, label, seq)
    }
}
