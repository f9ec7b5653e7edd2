//! Runs every embedding example in `examples/`, as `cargo run --example NAME` would, and
//! fails if one fails: each example checks its own results and returns an error if they
//! are wrong. The examples are compiled into this test (no cargo call at test time).

// Each example declares the helpers it shares with the others (`examples/common`) itself, as
// it is also built on its own; here they are compiled once per example.
#![allow(clippy::duplicate_mod)]

#[path = "../examples/quickstart.rs"]
mod quickstart;

#[path = "../examples/online.rs"]
mod online;

#[path = "../examples/proxied_output.rs"]
mod proxied_output;

#[path = "../examples/client_input.rs"]
mod client_input;

// Each example's `main` builds its own tokio runtime, so these are plain tests.

#[test]
fn quickstart_example_runs() {
    quickstart::main().unwrap();
}

#[test]
fn online_example_runs() {
    online::main().unwrap();
}

#[test]
fn proxied_output_example_runs() {
    proxied_output::main().unwrap();
}

#[test]
fn client_input_example_runs() {
    client_input::main().unwrap();
}
