//! Progress of long work on standard error, only when it is a terminal:
//! piped output and logs never carry it.

use std::io::{IsTerminal, Write};

/// One line, redrawn in place; cleared when dropped.
#[derive(Debug)]
pub struct Progress {
    shown: bool,
}

impl Progress {
    /// Shows progress when standard error is a terminal; otherwise does nothing.
    pub fn new() -> Self {
        Self {
            shown: std::io::stderr().is_terminal(),
        }
    }

    /// `label: done/total`.
    pub fn set(&mut self, label: &str, done: u64, total: u64) {
        if self.shown {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K{label}: {done}/{total}");
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}
