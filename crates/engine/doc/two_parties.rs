// Included by the rustdoc examples of `Session` (not part of the library): runs `f` as each
// of two parties over the in-memory mesh, on the INSECURE test dealer (the engine's
// dev-dependencies turn it on), and returns every party's result in party order.
use spdz2k_engine::{EngineError, Session, SessionOptions};
use spdz2k_net::{MemoryMesh, MemoryTransport, Transport};
use spdz2k_prep::InsecureDealerSource;
use spdz2k_ring::K64S64;

/// A two-party session on the in-memory mesh and the insecure dealer.
type S = Session<K64S64, MemoryTransport, InsecureDealerSource<K64S64>>;

fn two_parties<F, Fut, R>(f: F) -> Vec<R>
where
    F: Fn(S) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<R, EngineError>> + Send + 'static,
    R: Send + 'static,
{
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let sid = spdz2k_core::SessionId::new("doc").unwrap();
        let mut tasks = Vec::new();
        for t in MemoryMesh::connect(2, sid, std::time::Duration::from_secs(5)) {
            let prep = InsecureDealerSource::<K64S64>::new(t.party(), 2, [7; 32]).unwrap();
            let s = Session::new(t, prep, SessionOptions::default()).unwrap();
            tasks.push(tokio::spawn(f.clone()(s)));
        }
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap().unwrap());
        }
        out
    })
}
