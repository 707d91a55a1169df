//! The one source of "now" for the whole service.
//!
//! Everything that depends on time (licence deadlines, token expiry, office hours, job
//! scheduling) asks a [`Clock`], so that tests and development mode can move time forward.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ZonedDateTime, civil::Date};

/// The service's legal time zone: Swedish time.
pub fn stockholm() -> TimeZone {
    // The bundled tz database always contains Europe/Stockholm; the fixed-offset fallback only
    // guards against a broken build and is never expected to be used.
    TimeZone::get("Europe/Stockholm").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(1)))
}

pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// The current instant in Swedish time.
    fn now_zoned(&self) -> ZonedDateTime {
        self.now().to_zoned_datetime(stockholm())
    }

    /// Today's date in Sweden.
    fn today(&self) -> Date {
        self.now_zoned().date()
    }
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The wall clock moved by an offset that only grows: development mode and end-to-end tests
/// use it to jump days ahead while time still passes normally.
#[derive(Debug, Default)]
pub struct AdjustableClock {
    offset_ms: AtomicI64,
}

impl AdjustableClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward; a negative or zero amount is ignored, since time never runs
    /// backwards for the rest of the service (jobs, sessions and tokens rely on that).
    pub fn advance(&self, by: SignedDuration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        if ms > 0 {
            self.offset_ms.fetch_add(ms, Ordering::SeqCst);
        }
    }

    pub fn offset(&self) -> SignedDuration {
        SignedDuration::from_millis(self.offset_ms.load(Ordering::SeqCst))
    }
}

impl Clock for AdjustableClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
            .checked_add(self.offset())
            .unwrap_or(Timestamp::MAX)
    }
}

/// A clock that stands still until told otherwise: for unit tests.
#[derive(Debug)]
pub struct FixedClock {
    at_ms: AtomicI64,
}

impl FixedClock {
    pub fn at(at: Timestamp) -> Self {
        Self {
            at_ms: AtomicI64::new(at.as_millisecond()),
        }
    }

    pub fn set(&self, at: Timestamp) {
        self.at_ms.store(at.as_millisecond(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: SignedDuration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.at_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millisecond(self.at_ms.load(Ordering::SeqCst)).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjustable_clock_only_moves_forward() {
        let clock = AdjustableClock::new();
        clock.advance(SignedDuration::from_hours(24 * 22));
        clock.advance(SignedDuration::from_hours(-48));
        assert_eq!(clock.offset(), SignedDuration::from_hours(24 * 22));
        let ahead = clock.now().duration_since(Timestamp::now());
        assert!(ahead > SignedDuration::from_hours(24 * 21));
    }

    #[test]
    fn today_is_swedish_date() {
        // 23:30 UTC on 31 December is already New Year's Day in Stockholm.
        let clock = FixedClock::at("2026-12-31T23:30:00Z".parse().unwrap());
        assert_eq!(clock.today(), jiff::civil::date(2027, 1, 1));
        clock.advance(SignedDuration::from_hours(1));
        assert_eq!(clock.today(), jiff::civil::date(2027, 1, 1));
    }
}
