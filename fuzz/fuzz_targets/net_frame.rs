//! Frame headers as read from a TLS stream: no panic, no allocation beyond the limits.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spdz2k_net::frame::read_header;

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut r = data;
        // Read frames until the input is used up or one is refused.
        while let Ok(h) = read_header(&mut r).await {
            assert!(h.payload_len <= spdz2k_net::frame::MAX_FRAME);
            let skip = h.payload_len.min(r.len());
            r = &r[skip..];
            if skip < h.payload_len {
                break;
            }
        }
    });
});
