//! The config file as TOML gives it (every value with its span), and located errors.

use crate::error::ConfigError;
use serde::Deserialize;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub connection_timeout_secs: Option<Spanned<i64>>,
    pub idle_timeout_secs: Option<Spanned<i64>>,
    pub node: Spanned<RawNode>,
    pub params: Spanned<RawParams>,
    #[serde(default)]
    pub parties: Vec<Spanned<RawParty>>,
    #[serde(default)]
    pub clients: Vec<Spanned<RawClient>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNode {
    pub name: Spanned<String>,
    pub role: Spanned<String>,
    pub index: Option<Spanned<i64>>,
    pub listen: Option<Spanned<String>>,
    pub key_file: Spanned<String>,
    pub cert_file: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParams {
    pub k: Spanned<i64>,
    pub s: Spanned<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParty {
    pub index: Spanned<i64>,
    pub address: Spanned<String>,
    pub public_key: Spanned<String>,
    pub route: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawClient {
    pub name: Spanned<String>,
    pub public_key: Spanned<String>,
    pub route: Spanned<String>,
}

/// Builds located errors for one file.
pub(super) struct Locator<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Locator<'_> {
    pub fn line(&self, span: Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }
    pub fn at(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        msg: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            path: self.path.to_path_buf(),
            line: Some(self.line(span)),
            field: Some(field.into()),
            message: msg.into(),
        }
    }
}

impl RawConfig {
    /// Parses the TOML; a syntax or shape error names the line.
    pub fn parse(loc: &Locator<'_>) -> Result<Self, ConfigError> {
        toml::from_str(loc.text).map_err(|e| ConfigError {
            path: loc.path.to_path_buf(),
            line: e.span().map(|s| loc.line(s)),
            field: None,
            message: e.message().trim().to_string(),
        })
    }
}
