//! Percentiles and formatting of timings (nanoseconds).

use std::time::Duration;

/// p50, p99 and mean of a set of timings, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub p50: f64,
    pub p99: f64,
    pub mean: f64,
    pub count: usize,
}

impl Summary {
    /// Nearest-rank percentiles; all zero for no samples.
    pub fn of(samples: &[u64]) -> Self {
        if samples.is_empty() {
            return Self {
                p50: 0.0,
                p99: 0.0,
                mean: 0.0,
                count: 0,
            };
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let total: u128 = sorted.iter().map(|&s| u128::from(s)).sum();
        Self {
            p50: percentile(&sorted, 50.0),
            p99: percentile(&sorted, 99.0),
            mean: total as f64 / sorted.len() as f64,
            count: sorted.len(),
        }
    }

    /// Operations per second, one at a time: the inverse of the mean.
    pub fn per_second(&self) -> f64 {
        if self.mean > 0.0 {
            1e9 / self.mean
        } else {
            0.0
        }
    }
}

/// Nearest-rank percentile of sorted samples (non-empty).
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    let n = sorted.len();
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    let i = rank.clamp(1, n) - 1;
    sorted.get(i).copied().unwrap_or_default() as f64
}

pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Nanoseconds as microseconds with one decimal.
pub fn us(ns: f64) -> String {
    format!("{:.1}", ns / 1_000.0)
}

/// Nanoseconds as milliseconds with three decimals.
pub fn ms(ns: f64) -> String {
    format!("{:.3}", ns / 1_000_000.0)
}

/// `a / b` with two decimals, or "n/a".
pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 {
        format!("{:.3}", a / b)
    } else {
        "n/a".to_owned()
    }
}

/// A count with thousands separators: 50000 → "50,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u64> = (1..=100).collect();
        let s = Summary::of(&samples);
        assert_eq!(s.p50, 50.0);
        assert_eq!(s.p99, 99.0);
        assert_eq!(s.mean, 50.5);
        assert_eq!(Summary::of(&[7]).p99, 7.0);
        assert_eq!(Summary::of(&[]).count, 0);
        assert_eq!(Summary::of(&[2_000_000, 6_000_000]).per_second(), 250.0);
        assert_eq!(Summary::of(&[]).per_second(), 0.0);
    }

    #[test]
    fn formatting() {
        assert_eq!(thousands(50_000), "50,000");
        assert_eq!(thousands(251), "251");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(us(12_345.0), "12.3");
        assert_eq!(ms(1_000_000.0), "1.000");
        assert_eq!(ratio(1.0, 0.0), "n/a");
        assert_eq!(ratio(1.0, 4.0), "0.250");
    }
}
