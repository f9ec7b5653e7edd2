//! The error of a field value that the message format does not allow (a leaf module).

/// A field value that the message format does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {reason}")]
pub struct FieldError {
    /// The field, e.g. `"client ID"`.
    pub field: &'static str,
    /// Why it is invalid.
    pub reason: String,
}
