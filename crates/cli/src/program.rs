//! The built-in programs: what every party and the client run, in the same order.

use spdz2k::PrepCounts;
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

/// What one run of a program takes from each party's preprocessing, stated before the run
/// so that every party checks its own and its peers' material before any input is taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunShape {
    /// Number of parties.
    pub n_parties: usize,
    /// Length of each party's input vector (sum, product, dot).
    pub len: usize,
    /// Whether the result goes to a client (client output) rather than being opened.
    pub client: bool,
    /// mul-bench: multiplications.
    pub bench_count: usize,
    /// mul-bench: outputs delivered to the client.
    pub bench_outputs: usize,
}

impl Program {
    /// The items of each kind one run needs (exactly what the program below uses).
    pub fn needs(self, shape: RunShape) -> PrepCounts {
        let n = shape.n_parties;
        let l = shape.len as u64;
        let mut c = PrepCounts::uniform(n, 0);
        // A result of m values: opened to all, or delivered to the client.
        let result = |c: &mut PrepCounts, m: u64| {
            c.open_masks += m;
            if shape.client {
                c.triples += m;
            }
        };
        let inputs = |c: &mut PrepCounts, owners: &[usize], m: u64| {
            for &o in owners {
                if let Some(slot) = c.input_masks.get_mut(o) {
                    *slot += m;
                }
            }
        };
        let all: Vec<usize> = (0..n).collect();
        match self {
            Program::Demo => {
                inputs(&mut c, &[0, 1], 1);
                // One triple masks the client's input; three products.
                c.triples += 1 + 3;
                result(&mut c, 3);
            }
            Program::Sum => {
                inputs(&mut c, &all, l);
                result(&mut c, l);
            }
            Program::Product => {
                inputs(&mut c, &all, l);
                c.triples += n.saturating_sub(1) as u64 * l;
                result(&mut c, l);
            }
            Program::Dot => {
                inputs(&mut c, &[0, 1], l);
                c.triples += l;
                result(&mut c, 1);
            }
            Program::MulBench => {
                let count = shape.bench_count as u64;
                // The products, the dot product and its check opening.
                c.triples += 2 * count;
                c.open_masks += 1;
                if shape.client {
                    c.open_masks += shape.bench_outputs.min(shape.bench_count) as u64;
                    c.triples += shape.bench_outputs.min(shape.bench_count) as u64;
                }
            }
        }
        c
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(len: usize, client: bool) -> RunShape {
        RunShape {
            n_parties: 2,
            len,
            client,
            bench_count: 10,
            bench_outputs: 4,
        }
    }

    #[test]
    fn needs_count_every_kind_the_programs_use() {
        let dot = Program::Dot.needs(shape(3, false));
        assert_eq!(
            dot,
            PrepCounts {
                triples: 3,
                randoms: 0,
                open_masks: 1,
                input_masks: vec![3, 3]
            }
        );
        // Delivering to a client costs a triple per value on top of the mask.
        assert_eq!(Program::Dot.needs(shape(3, true)).triples, 4);
        let demo = Program::Demo.needs(shape(1, true));
        assert_eq!((demo.triples, demo.open_masks), (7, 3));
        assert_eq!(demo.input_masks, vec![1, 1]);
        let bench = Program::MulBench.needs(shape(0, true));
        assert_eq!((bench.triples, bench.open_masks), (24, 5));
        assert_eq!(Program::Product.needs(shape(5, false)).triples, 5);
    }
}
