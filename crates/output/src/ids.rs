//! Names carried in envelopes: the client ID and the delivery label. Both are validated on
//! construction and on decoding, so a header can always be logged and compared safely.

use core::fmt;
use core::str::FromStr;

use crate::field::FieldError;
use spdz2k_core::Name;

/// The longest client ID accepted, in bytes.
pub const MAX_CLIENT_ID_LEN: usize = spdz2k_core::MAX_NAME_LEN;
/// The longest label accepted, in bytes.
pub const MAX_LABEL_LEN: usize = 255;

/// A client's name as configured, e.g. `"C0"`: a [`Name`] (1 to 64 characters from
/// `[A-Za-z0-9._-]`, the rules of session IDs and of the client names in node configs).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientId(Name);

impl ClientId {
    /// Validates `s` as a client ID.
    pub fn new(s: impl Into<String>) -> Result<Self, FieldError> {
        Name::new(s).map(Self).map_err(|e| FieldError {
            field: "client ID",
            reason: e.to_string(),
        })
    }

    /// The ID as a string.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl FromStr for ClientId {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl fmt::Debug for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientId({})", self.0)
    }
}

/// The name of one output or input of a computation, e.g. `"sum"`: 1 to 255 bytes of
/// UTF-8 without control characters.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Label(String);

impl Label {
    /// Validates `s` as a label.
    pub fn new(s: impl Into<String>) -> Result<Self, FieldError> {
        let s = s.into();
        if s.is_empty() || s.len() > MAX_LABEL_LEN {
            return Err(FieldError {
                field: "label",
                reason: format!("must be 1 to {MAX_LABEL_LEN} bytes long, got {}", s.len()),
            });
        }
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(FieldError {
                field: "label",
                reason: format!("may not contain control characters; found {c:?}"),
            });
        }
        Ok(Self(s))
    }

    /// The label as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Label {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Label({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids() {
        assert_eq!(ClientId::new("C0").unwrap().as_str(), "C0");
        assert!(ClientId::new("").is_err());
        assert!(ClientId::new("C 0").is_err());
        assert!(ClientId::new("x".repeat(65)).is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(
            Label::new("sum of salaries").unwrap().as_str(),
            "sum of salaries"
        );
        assert!(Label::new("").is_err());
        assert!(Label::new("a\nb").is_err());
        assert!(Label::new("é".repeat(128)).is_err());
        assert!(Label::new("é".repeat(127)).is_ok());
    }
}
