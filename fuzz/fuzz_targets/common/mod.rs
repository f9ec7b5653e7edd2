//! Helpers shared by the state-machine targets: a cursor that turns the fuzzer's bytes into
//! choices (running out of bytes reads as zeros, so every input is a valid script), and the
//! usual "what does the adversary do to this message" choice.
#![allow(dead_code)]

/// The fuzzer's bytes as a stream of choices.
pub struct Script<'a> {
    data: &'a [u8],
}

impl<'a> Script<'a> {
    /// A script over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }
    /// The next byte (0 once the input is used up).
    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    /// A little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from(self.byte()) | (u16::from(self.byte()) << 8)
    }
    /// A little-endian u64.
    pub fn u64(&mut self) -> u64 {
        (0..8).fold(0, |acc, i| acc | (u64::from(self.byte()) << (8 * i)))
    }
    /// A length-prefixed (u16) slice, cut to what is left.
    pub fn bytes(&mut self) -> &'a [u8] {
        let n = (self.u16() as usize).min(self.data.len());
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        head
    }
    /// Everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.data)
    }
    /// Whether the input is used up.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Applies the adversary's choice to an honest message: deliver it, drop it, replace it with
/// fuzzer bytes, flip a bit, cut it short or append bytes. Returns `None` for a dropped
/// message.
pub fn tamper(script: &mut Script<'_>, honest: &[u8]) -> Option<Vec<u8>> {
    match script.byte() % 8 {
        // Honest most of the time, so that deep states are reached.
        0..=2 => Some(honest.to_vec()),
        3 => None,
        4 => Some(script.bytes().to_vec()),
        5 => {
            let mut m = honest.to_vec();
            if !m.is_empty() {
                let at = script.u16() as usize % m.len();
                m[at] ^= 1 << (script.byte() % 8);
            }
            Some(m)
        }
        6 => {
            let mut m = honest.to_vec();
            m.truncate(script.u16() as usize % (m.len() + 1));
            Some(m)
        }
        _ => {
            let mut m = honest.to_vec();
            m.extend_from_slice(script.bytes());
            Some(m)
        }
    }
}
