//! Progress of a long run: an `indicatif` bar with an ETA on a terminal's stderr, or
//! `PROGRESS done total` lines on stdout for a parent process to read (`--progress-lines`).

use indicatif::{ProgressBar, ProgressStyle};

/// Where the progress of one run goes.
#[derive(Debug)]
pub enum Progress {
    /// `PROGRESS done total` lines on stdout.
    Lines,
    /// A bar on stderr (drawn only when stderr is a terminal), created at the first update.
    Bar {
        /// What is counted, e.g. `P0 offline phase`.
        label: String,
        /// The bar, once the total is known.
        bar: Option<ProgressBar>,
    },
}

impl Progress {
    /// Lines if `lines`, else a bar labelled `label`.
    pub fn new(lines: bool, label: impl Into<String>) -> Self {
        if lines {
            Progress::Lines
        } else {
            Progress::Bar {
                label: label.into(),
                bar: None,
            }
        }
    }

    /// Reports `done` of `total` batches; the bar ends at `done == total`.
    pub fn update(&mut self, done: usize, total: usize) {
        match self {
            Progress::Lines => println!("PROGRESS {done} {total}"),
            Progress::Bar { label, bar } => {
                let bar = bar.get_or_insert_with(|| {
                    let b = ProgressBar::new(total as u64);
                    if let Ok(style) = ProgressStyle::with_template(
                        "{prefix} [{bar:30}] {pos}/{len} batches, {elapsed} elapsed, ETA {eta}",
                    ) {
                        b.set_style(style.progress_chars("#>."));
                    }
                    b.set_prefix(label.clone());
                    b
                });
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                if done >= total {
                    bar.finish();
                }
            }
        }
    }

    /// Reads a child's `PROGRESS done total` line (the text after `PROGRESS `) into this
    /// progress; other text is ignored.
    pub fn relay(&mut self, rest: &str) {
        let mut it = rest.split_whitespace().map(str::parse::<usize>);
        if let (Some(Ok(done)), Some(Ok(total))) = (it.next(), it.next()) {
            self.update(done, total);
        }
    }
}
