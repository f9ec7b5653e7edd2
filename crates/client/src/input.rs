//! Client input: the verified masks a from the parties' triples, spent once to send
//! y = x + a mod 2^(k+s), signed, to every party.

use spdz2k_output::{ClientInput, ClientInputError};
use spdz2k_ring::Params;

use crate::dispatch::with_params;
use crate::error::ClientError;
use crate::mask::InputMask;
use crate::session::ClientSession;

/// Whether v is a k-bit value, read as signed or as unsigned.
fn fits_signed(v: i128, k: u32) -> bool {
    let below_top = k >= 127 || v < (1i128 << k);
    let above_bottom = k >= 128 || v >= -(1i128 << (k - 1));
    below_top && above_bottom
}

fn fits_unsigned(v: u128, k: u32) -> bool {
    k >= 128 || v < (1u128 << k)
}

impl ClientSession {
    /// The signed input message for `values` (k-bit signed or unsigned integers, one per
    /// mask), spending `mask`. Send the same bytes to every party.
    pub fn input_message(&self, mask: InputMask, values: &[i128]) -> Result<Vec<u8>, ClientError> {
        self.check_mask(&mask, values.len())?;
        if let Some((index, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !fits_signed(**v, mask.delivery.params.k))
        {
            return Err(self.out_of_range(&mask, index, v.to_string()));
        }
        with_params!(
            mask.delivery.params,
            P => {
                let x: Vec<_> = values.iter().map(|&v| P::from_i128(v)).collect();
                self.sign_masked::<P>(&mask, &x)
            },
            else Err(ClientError::UnsupportedParams { session: self.session.clone(), params: mask.delivery.params })
        )
    }

    /// As [`ClientSession::input_message`], for unsigned values below 2^k.
    pub fn input_message_unsigned(
        &self,
        mask: InputMask,
        values: &[u128],
    ) -> Result<Vec<u8>, ClientError> {
        self.check_mask(&mask, values.len())?;
        if let Some((index, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !fits_unsigned(**v, mask.delivery.params.k))
        {
            return Err(self.out_of_range(&mask, index, v.to_string()));
        }
        with_params!(
            mask.delivery.params,
            P => {
                let x: Vec<_> = values.iter().map(|&v| P::from_u128(v)).collect();
                self.sign_masked::<P>(&mask, &x)
            },
            else Err(ClientError::UnsupportedParams { session: self.session.clone(), params: mask.delivery.params })
        )
    }

    fn check_mask(&self, mask: &InputMask, values: usize) -> Result<(), ClientError> {
        if mask.session != self.session {
            return Err(ClientError::MaskSession {
                expected: self.session.clone(),
                got: mask.session.clone(),
            });
        }
        if values != mask.count {
            return Err(ClientError::InputCount {
                session: self.session.clone(),
                label: mask.delivery.label.to_string(),
                expected: mask.count,
                got: values,
            });
        }
        Ok(())
    }

    fn out_of_range(&self, mask: &InputMask, index: usize, value: String) -> ClientError {
        ClientError::ValueOutOfRange {
            session: self.session.clone(),
            label: mask.delivery.label.to_string(),
            index,
            value,
            k: mask.delivery.params.k,
        }
    }

    /// y = x + a, signed.
    fn sign_masked<P: Params>(
        &self,
        mask: &InputMask,
        x: &[P::Word],
    ) -> Result<Vec<u8>, ClientError> {
        let a = P::decode_slice(&mask.a).map_err(ClientInputError::Element)?;
        let y: Vec<P::Word> = x.iter().zip(&a).map(|(&x, &a)| P::add(x, a)).collect();
        let message = ClientInput::new::<P>(
            self.session.clone(),
            self.run,
            self.client.clone(),
            mask.delivery.label.clone(),
            mask.delivery.seq,
            &y,
        );
        tracing::info!(
            session = %self.session,
            client = %self.client,
            label = %mask.delivery.label,
            count = y.len(),
            "masked input signed"
        );
        Ok(message.sign(&self.identity)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert!(fits_signed(-(1 << 31), 32));
        assert!(!fits_signed(-(1 << 31) - 1, 32));
        assert!(fits_signed((1 << 32) - 1, 32));
        assert!(!fits_signed(1 << 32, 32));
        assert!(fits_signed(i128::MIN, 128));
        assert!(fits_signed(i128::MAX, 128));
        assert!(fits_signed(-(1 << 65), 66));
        assert!(!fits_signed(-(1 << 65) - 1, 66));
        assert!(fits_unsigned(u128::MAX, 128));
        assert!(!fits_unsigned(1 << 64, 64));
        assert!(fits_unsigned(u64::MAX as u128, 64));
    }
}
