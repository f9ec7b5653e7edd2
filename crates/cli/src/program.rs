//! The built-in programs: what every party and the client run, in the same order.

use std::fmt;
use std::str::FromStr;

/// A built-in program. Parties and the client must be started with the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Program {
    /// P0 inputs a, P1 inputs b, the client inputs c; the client receives a+b+c, a*b*c and
    /// (a+b+c)^2 through its routes.
    Demo,
    /// Every party inputs a vector; the elementwise sum is delivered to the client (or
    /// opened to all parties when the deployment has no client).
    Sum,
    /// Every party inputs a vector; the elementwise product.
    Product,
    /// P0 and P1 input vectors; their dot product.
    Dot,
    /// A throughput benchmark: multiplications, a dot product and (with a client) output
    /// delivery, timed by each party.
    MulBench,
}

impl Program {
    /// All programs.
    pub const ALL: [Program; 5] = [
        Program::Demo,
        Program::Sum,
        Program::Product,
        Program::Dot,
        Program::MulBench,
    ];

    /// The name used on the command line and in the session handshake.
    pub fn name(self) -> &'static str {
        match self {
            Program::Demo => "demo",
            Program::Sum => "sum",
            Program::Product => "product",
            Program::Dot => "dot",
            Program::MulBench => "mul-bench",
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Program {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Program::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Program::ALL.iter().map(|p| p.name()).collect();
                format!(
                    "unknown program {s:?}; built-in programs: {}",
                    names.join(", ")
                )
            })
    }
}
