//! Wire messages: canonical encodings round-trip and every other byte string is refused.

use proptest::prelude::*;
use spdz2k_core::{Commitment, Nonce, WireError, WireMsg};
use spdz2k_ring::{K32S32, K64S64, K66S48, K128S64, Params};

fn samples<P: Params>(xs: &[u128]) -> Vec<WireMsg<P>> {
    let v: Vec<P::Word> = xs.iter().map(|&x| P::from_u128(x)).collect();
    vec![
        WireMsg::Opening(v.clone()),
        WireMsg::Input(v.clone()),
        WireMsg::CoinCommit {
            commitment: Commitment([1; 32]),
            transcript: [2; 32],
        },
        WireMsg::CoinOpen {
            seed: [3; 32],
            nonce: Nonce([4; 32]),
        },
        WireMsg::ZCommit(Commitment([5; 32])),
        WireMsg::ZOpen {
            z: v.first().copied().unwrap_or(P::from_u128(9)),
            nonce: Nonce([6; 32]),
        },
        WireMsg::Digest([7; 32]),
    ]
}

fn roundtrip<P: Params>(xs: &[u128]) {
    for m in samples::<P>(xs) {
        let bytes = m.encode();
        assert_eq!(WireMsg::<P>::decode(&bytes), Ok(m.clone()));
        // Truncation and trailing bytes are refused.
        assert!(
            WireMsg::<P>::decode(&bytes[..bytes.len() - 1]).is_err(),
            "{}",
            m.kind()
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(WireMsg::<P>::decode(&longer).is_err(), "{}", m.kind());
    }
}

proptest! {
    #[test]
    fn roundtrips_for_every_parameter_set(xs in prop::collection::vec(any::<u128>(), 1..10)) {
        roundtrip::<K32S32>(&xs);
        roundtrip::<K64S64>(&xs);
        roundtrip::<K66S48>(&xs);
        roundtrip::<K128S64>(&xs);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..80)) {
        let _ = WireMsg::<K64S64>::decode(&bytes);
        let _ = WireMsg::<K66S48>::decode(&bytes);
    }
}

#[test]
fn refuses_unknown_tags_bad_counts_and_non_canonical_elements() {
    assert_eq!(WireMsg::<K64S64>::decode(&[]), Err(WireError::Empty));
    assert_eq!(
        WireMsg::<K64S64>::decode(&[99]),
        Err(WireError::UnknownTag(99))
    );
    // A count that claims more elements than the body holds, and one that overflows.
    let mut m = WireMsg::<K64S64>::Opening(vec![1, 2]).encode();
    m[1] = 3;
    assert!(matches!(
        WireMsg::<K64S64>::decode(&m),
        Err(WireError::Length { .. })
    ));
    m[1..9].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        WireMsg::<K64S64>::decode(&m),
        Err(WireError::Length { .. })
    ));
    // K66S48 elements are 114 bits in 15 bytes: a set top bit is not canonical.
    let mut m = WireMsg::<K66S48>::Opening(vec![1]).encode();
    let last = m.len() - 1;
    m[last] |= 0x80;
    assert!(matches!(
        WireMsg::<K66S48>::decode(&m),
        Err(WireError::Element { .. })
    ));
}

fn add_opening_agrees_with_decoding<P: Params>(xs: &[u128], ys: &[u128]) {
    let own: Vec<P::Word> = xs.iter().map(|&x| P::from_u128(x)).collect();
    let theirs: Vec<P::Word> = ys.iter().map(|&y| P::from_u128(y)).collect();
    let bytes = WireMsg::<P>::Opening(theirs.clone()).encode();
    let mut acc = own.clone();
    let added = WireMsg::<P>::add_opening_to(&bytes, &mut acc);
    if xs.len() == ys.len() {
        let sum: Vec<P::Word> = own
            .iter()
            .zip(&theirs)
            .map(|(&a, &b)| P::add(a, b))
            .collect();
        assert_eq!((added, acc), (Ok(true), sum));
    } else {
        assert_eq!(
            (added, acc),
            (Ok(false), own),
            "another count is left to the decoder"
        );
    }
}

proptest! {
    #[test]
    fn adding_an_opening_in_place_equals_decoding_and_adding(
        xs in prop::collection::vec(any::<u128>(), 0..10),
        ys in prop::collection::vec(any::<u128>(), 0..10),
    ) {
        add_opening_agrees_with_decoding::<K32S32>(&xs, &ys);
        add_opening_agrees_with_decoding::<K64S64>(&xs, &ys);
        add_opening_agrees_with_decoding::<K66S48>(&xs, &ys);
        add_opening_agrees_with_decoding::<K128S64>(&xs, &ys);
        add_opening_agrees_with_decoding::<K64S64>(&xs, &xs);
    }
}

#[test]
fn adding_an_opening_in_place_leaves_other_messages_and_bad_elements_to_the_decoder() {
    type P = K66S48;
    let mut acc = vec![P::from_u128(1); 2];
    for other in [
        WireMsg::<P>::Input(acc.clone()).encode(),
        WireMsg::<P>::Digest([0; 32]).encode(),
        vec![],
        WireMsg::<P>::Opening(acc.clone()).encode()[..9].to_vec(),
    ] {
        assert_eq!(WireMsg::<P>::add_opening_to(&other, &mut acc), Ok(false));
    }
    assert_eq!(acc, vec![P::from_u128(1); 2], "unchanged");
    // A set bit above k+s: the decoder's error.
    let mut bad = WireMsg::<P>::Opening(acc.clone()).encode();
    let last = bad.len() - 1;
    bad[last] = 0x80;
    let err = WireMsg::<P>::decode(&bad).unwrap_err();
    assert_eq!(WireMsg::<P>::add_opening_to(&bad, &mut acc), Err(err));
}
