//! Session identifiers: every party of one computation is given the same one.

use crate::name::{Name, NameError};
use core::fmt;
use core::str::FromStr;
use rand::Rng;

/// The longest session ID accepted, in bytes.
pub const MAX_SESSION_ID_LEN: usize = crate::name::MAX_NAME_LEN;

/// A session ID: a [`Name`] (1 to 64 characters from `[A-Za-z0-9._-]`), so it is safe in
/// file names, logs and headers. `SessionId::random()` gives 32 hex characters (128 bits).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(Name);

/// Why a string is not a valid session ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionIdError {
    /// Empty or longer than [`MAX_SESSION_ID_LEN`].
    #[error("session ID must be 1 to {MAX_SESSION_ID_LEN} characters long, got {0}")]
    Length(usize),
    /// A character outside `[A-Za-z0-9._-]`.
    #[error("session ID may contain only A-Z, a-z, 0-9, '.', '_' and '-'; found {0:?}")]
    Character(char),
}

impl SessionId {
    /// Validates `s` as a session ID.
    pub fn new(s: impl Into<String>) -> Result<Self, SessionIdError> {
        Name::new(s).map(Self).map_err(|e| match e {
            NameError::Length(len) => SessionIdError::Length(len),
            NameError::Character(c) => SessionIdError::Character(c),
        })
    }

    /// A fresh random session ID (32 lowercase hex characters) from the OS CSPRNG.
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        crate::rng::secure_rng().fill_bytes(&mut bytes);
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Self(Name(hex))
    }

    /// The ID as a string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The ID as bytes (for hashing and headers).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_str().as_bytes()
    }
}

impl FromStr for SessionId {
    type Err = SessionIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(SessionId::new("demo-1.a_b").is_ok());
        assert_eq!(SessionId::new(""), Err(SessionIdError::Length(0)));
        assert_eq!(SessionId::new("a b"), Err(SessionIdError::Character(' ')));
        assert!(SessionId::new("x".repeat(65)).is_err());
        let r = SessionId::random();
        assert_eq!(r.as_str().len(), 32);
        assert_ne!(r, SessionId::random());
    }
}
