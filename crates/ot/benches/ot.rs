//! OT benchmarks (filled in with the extension).
fn main() {}
