//! The one identifier type for names that travel in headers, hellos, file names and logs:
//! session IDs ([`crate::SessionId`]), client IDs (`spdz2k_output::ClientId`) and the
//! client names of node configs all follow its rules.
//!
//! A name is 1 to [`MAX_NAME_LEN`] bytes from `[A-Za-z0-9._-]`: safe to print, to compare,
//! to use in a file name and to embed in a length-prefixed header.

use core::fmt;

/// The longest name accepted, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// A validated name (see the module docs for the rules).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(pub(crate) String);

/// Why a string is not a valid [`Name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// Empty or longer than [`MAX_NAME_LEN`] bytes; the length found.
    Length(usize),
    /// A character outside `[A-Za-z0-9._-]`.
    Character(char),
}

impl Name {
    /// Validates `s` as a name.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        if s.is_empty() || s.len() > MAX_NAME_LEN {
            return Err(NameError::Length(s.len()));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(NameError::Character(c));
        }
        Ok(Self(s))
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The rule broken, without the subject: "must be 1 to 64 characters long, got 0".
impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length(len) => {
                write!(f, "must be 1 to {MAX_NAME_LEN} characters long, got {len}")
            }
            Self::Character(c) => write!(
                f,
                "may contain only A-Z, a-z, 0-9, '.', '_' and '-'; found {c:?}"
            ),
        }
    }
}

impl std::error::Error for NameError {}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules() {
        assert_eq!(Name::new("C0.a_b-1").unwrap().as_str(), "C0.a_b-1");
        assert_eq!(Name::new(""), Err(NameError::Length(0)));
        assert_eq!(Name::new("a b"), Err(NameError::Character(' ')));
        assert_eq!(Name::new("x".repeat(65)), Err(NameError::Length(65)));
        assert!(Name::new("x".repeat(64)).is_ok());
        assert_eq!(
            NameError::Length(0).to_string(),
            "must be 1 to 64 characters long, got 0"
        );
    }
}
