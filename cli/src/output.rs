//! Every command's output goes through here, so that a closed standard
//! output (`standin audit query | head -1`) ends quietly instead of
//! panicking as `println!` does ("failed printing to stdout").
//!
//! Once a write finds the reader gone (`BrokenPipe`), standard output is
//! marked closed and every later write is dropped: the command finishes
//! what it was doing (whatever it wrote to the database is already
//! committed before it prints) and exits with its own code, so a script
//! that only wanted the first line still learns, say, that a chain is
//! broken (exit 3). Any other write error is an error (exit 1).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes `bytes` to standard output and flushes; a closed pipe is not an error.
pub fn write(bytes: &[u8]) -> io::Result<()> {
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        other => other,
    }
}

/// Writes `text` and a newline.
pub fn line(text: &str) -> io::Result<()> {
    let mut bytes = Vec::with_capacity(text.len() + 1);
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(b'\n');
    write(&bytes)
}

/// Writes `value` as one JSON line.
pub fn json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    line(&serde_json::to_string(value)?)?;
    Ok(())
}

/// Whether a write found standard output closed (`standin-stress` stops then).
#[allow(dead_code)] // the product binary ends at its first failed write instead
pub fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Rows a listing reads from the database at a time (it prints as it reads).
pub const PAGE: usize = 1000;

/// Writes a line to standard error; a closed or failing standard error is
/// ignored (there is nowhere left to say so), never a panic as with `eprintln!`.
pub fn error_line(text: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// An error and its causes, `outer: inner: ...`, each said once: an error
/// whose message already ends with its cause's (`cannot read `x`: {source}`)
/// does not repeat it.
pub fn describe(e: &anyhow::Error) -> String {
    let mut text = e.to_string();
    for cause in e.chain().skip(1) {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
