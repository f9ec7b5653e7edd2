//! A certificate's validity window, where an instant falls in it, and UTC formatting (a leaf
//! module: certificates and identities both carry a window).

use crate::error::PkiError;
use std::fmt;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A certificate's validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertValidity {
    /// Not valid before this instant.
    pub not_before: SystemTime,
    /// Not valid after this instant.
    pub not_after: SystemTime,
}

/// Where "now" falls in a validity window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidityStatus {
    /// Valid for this much longer.
    Valid(Duration),
    /// Expired this long ago.
    Expired(Duration),
    /// Becomes valid in this long.
    NotYetValid(Duration),
}

impl CertValidity {
    /// Where `now` falls in the window.
    pub fn status(&self, now: SystemTime) -> ValidityStatus {
        if let Ok(early) = self.not_before.duration_since(now)
            && !early.is_zero()
        {
            return ValidityStatus::NotYetValid(early);
        }
        match self.not_after.duration_since(now) {
            Ok(left) => ValidityStatus::Valid(left),
            Err(e) => ValidityStatus::Expired(e.duration()),
        }
    }

    /// Fails with [`PkiError::CertExpired`] or [`PkiError::CertNotYetValid`], naming the
    /// certificate file and the command that renews it.
    pub fn require_valid(
        &self,
        now: SystemTime,
        cert_file: &Path,
        config_file: &Path,
    ) -> Result<(), PkiError> {
        match self.status(now) {
            ValidityStatus::Valid(_) => Ok(()),
            ValidityStatus::Expired(_) => Err(PkiError::CertExpired {
                cert_file: cert_file.to_path_buf(),
                not_after: utc(self.not_after),
                config_file: config_file.to_path_buf(),
            }),
            ValidityStatus::NotYetValid(_) => Err(PkiError::CertNotYetValid {
                cert_file: cert_file.to_path_buf(),
                not_before: utc(self.not_before),
                config_file: config_file.to_path_buf(),
            }),
        }
    }
}

impl fmt::Display for CertValidity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", utc(self.not_before), utc(self.not_after))
    }
}

/// Formats an instant as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn utc(t: SystemTime) -> String {
    const FORMAT: &[time::format_description::BorrowedFormatItem<'_>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    // Formatting a UTC date with a fixed format only fails for years past 9999.
    time::OffsetDateTime::from(t)
        .format(FORMAT)
        .unwrap_or_else(|_| format!("{t:?}"))
}
