//! Two figures measured in turns, a slice of time each, until both have the recorded time
//! asked for: drift on the machine (other builds on the same cores) then touches both alike,
//! as with the search engines taking turns per round.

use std::time::{Duration, Instant};

use anyhow::Result;

use crate::stats::nanos;

/// Unrecorded time per figure first (caches, SQLite's page cache, allocator).
const WARM_UP: Duration = Duration::from_millis(500);
/// One turn.
const SLICE: Duration = Duration::from_millis(250);
/// Recorded time per figure, at least.
const RECORDED: Duration = Duration::from_secs(2);

/// Runs `a` and `b` in turns; each call does one operation and returns the part of it to
/// record (set-up before it is not). Returns the recorded timings of each, in nanoseconds.
pub async fn take_turns(
    mut a: impl AsyncFnMut() -> Result<Duration>,
    mut b: impl AsyncFnMut() -> Result<Duration>,
) -> Result<(Vec<u64>, Vec<u64>)> {
    let (mut sa, mut sb) = (Vec::new(), Vec::new());
    run_for(&mut a, WARM_UP, &mut sa).await?;
    run_for(&mut b, WARM_UP, &mut sb).await?;
    sa.clear();
    sb.clear();
    let recorded = |s: &[u64]| Duration::from_nanos(s.iter().sum());
    while recorded(&sa) < RECORDED || recorded(&sb) < RECORDED {
        run_for(&mut a, SLICE, &mut sa).await?;
        run_for(&mut b, SLICE, &mut sb).await?;
    }
    Ok((sa, sb))
}

async fn run_for(
    op: &mut impl AsyncFnMut() -> Result<Duration>,
    length: Duration,
    samples: &mut Vec<u64>,
) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < length {
        samples.push(nanos(op().await?));
    }
    Ok(())
}
