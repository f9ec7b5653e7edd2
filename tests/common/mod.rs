//! Harnesses shared by the root integration tests.

pub mod delivery;
