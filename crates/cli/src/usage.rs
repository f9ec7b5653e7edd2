//! The process's CPU time and minor page faults so far (Linux `/proc`), so that a benchmark
//! can report what its timed phase cost, not only what the whole process did.

use std::path::Path;

/// CPU time and minor page faults of this process so far.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Usage {
    /// Seconds on a CPU, summed over the live threads (user and system).
    pub cpu_seconds: f64,
    /// Minor page faults of the whole process.
    pub minor_faults: u64,
}

impl Usage {
    /// Now, or `None` where `/proc` is not there to tell.
    pub fn now() -> Option<Self> {
        Some(Self {
            cpu_seconds: thread_cpu_ns(Path::new("/proc/self/task"))? as f64 * 1e-9,
            minor_faults: minor_faults(&std::fs::read_to_string("/proc/self/stat").ok()?)?,
        })
    }

    /// What was spent since `earlier`.
    pub fn since(self, earlier: Self) -> Self {
        Self {
            cpu_seconds: self.cpu_seconds - earlier.cpu_seconds,
            minor_faults: self.minor_faults.saturating_sub(earlier.minor_faults),
        }
    }
}

/// Nanoseconds on a CPU summed over the threads under `tasks` (the first field of each
/// thread's `schedstat`). A thread that ends between the listing and the read is skipped.
fn thread_cpu_ns(tasks: &Path) -> Option<u64> {
    let mut total = 0u64;
    for entry in std::fs::read_dir(tasks).ok()? {
        let Ok(stat) = std::fs::read_to_string(entry.ok()?.path().join("schedstat")) else {
            continue;
        };
        total = total.saturating_add(stat.split_whitespace().next()?.parse().ok()?);
    }
    Some(total)
}

/// The `minflt` field of a `/proc/<pid>/stat` line (the 10th; the command name in
/// parentheses may hold spaces, so fields are counted after its closing parenthesis).
fn minor_faults(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(7)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fault_count_after_a_command_name_with_spaces() {
        let line = "42 (a b) c) R 1 42 42 0 -1 4194304 1234 0 5 0 7 3 0 0 20 0 3 0 99";
        assert_eq!(minor_faults(line), Some(1234));
        assert_eq!(minor_faults("42 (x"), None);
    }

    #[test]
    fn this_process_uses_cpu_and_faults_in_memory() {
        let Some(before) = Usage::now() else {
            return; // no /proc here
        };
        let v: Vec<u64> = (0..4_000_000).collect();
        let after = Usage::now().expect("still there");
        assert!(v.iter().sum::<u64>() > 0);
        let d = after.since(before);
        assert!(d.cpu_seconds > 0.0, "{d:?}");
        assert!(d.minor_faults > 0, "32 MB of fresh memory: {d:?}");
    }
}
