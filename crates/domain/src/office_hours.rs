//! Swedish public holidays and office-hour arithmetic.
//!
//! Office hours are weekdays 08:00–17:00 Swedish time, except the holidays below. Deadlines
//! such as "48 hours (kontorstid)" for the prescriber-code check are computed here.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

use crate::clock::stockholm;

const OPENING: Time = jiff::civil::time(8, 0, 0, 0);
const CLOSING: Time = jiff::civil::time(17, 0, 0, 0);

/// Office hours in one office day.
pub const HOURS_PER_OFFICE_DAY: i64 = 9;

/// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm, Meeus/Jones/Butcher).
/// `None` only for years outside the supported calendar range.
pub fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// The first `weekday` on or after `month`/`day` of `year`.
fn weekday_on_or_after(year: i16, month: i8, day: i8, weekday: Weekday) -> Option<Date> {
    let start = Date::new(year, month, day).ok()?;
    let offset =
        (weekday.to_monday_zero_offset() - start.weekday().to_monday_zero_offset()).rem_euclid(7);
    add_days(start, i64::from(offset))
}

/// The days of `year` on which Swedish offices are closed although they may be weekdays, with
/// their Swedish names, in date order. Includes the de facto holidays midsommarafton,
/// julafton and nyårsafton; some (påskdagen, pingstdagen, midsommardagen, alla helgons dag)
/// always fall on a weekend and are listed for completeness.
pub fn holidays(year: i16) -> Vec<(Date, &'static str)> {
    let mut list: Vec<(Date, &'static str)> = Vec::with_capacity(16);
    let fixed: [(i8, i8, &'static str); 8] = [
        (1, 1, "Nyårsdagen"),
        (1, 6, "Trettondedag jul"),
        (5, 1, "Första maj"),
        (6, 6, "Sveriges nationaldag"),
        (12, 24, "Julafton"),
        (12, 25, "Juldagen"),
        (12, 26, "Annandag jul"),
        (12, 31, "Nyårsafton"),
    ];
    list.extend(
        fixed
            .iter()
            .filter_map(|&(m, d, name)| Some((Date::new(year, m, d).ok()?, name))),
    );
    if let Some(easter) = easter_sunday(year) {
        let movable: [(i64, &'static str); 5] = [
            (-2, "Långfredagen"),
            (0, "Påskdagen"),
            (1, "Annandag påsk"),
            (39, "Kristi himmelsfärds dag"),
            (49, "Pingstdagen"),
        ];
        list.extend(
            movable
                .iter()
                .filter_map(|&(offset, name)| Some((add_days(easter, offset)?, name))),
        );
    }
    if let Some(eve) = weekday_on_or_after(year, 6, 19, Weekday::Friday) {
        list.push((eve, "Midsommarafton"));
        if let Some(day) = add_days(eve, 1) {
            list.push((day, "Midsommardagen"));
        }
    }
    if let Some(all_saints) = weekday_on_or_after(year, 10, 31, Weekday::Saturday) {
        list.push((all_saints, "Alla helgons dag"));
    }
    list.sort();
    list
}

/// The holiday's Swedish name if `date` is one of [`holidays`].
pub fn holiday_name(date: Date) -> Option<&'static str> {
    holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, name)| name)
}

/// Monday to Friday and not a holiday.
pub fn is_office_day(date: Date) -> bool {
    is_weekday(date) && holiday_name(date).is_none()
}

/// Whether offices are open at `at`: 08:00 ≤ time < 17:00 Swedish time on an office day.
pub fn is_within_office_hours(at: Timestamp) -> bool {
    let local = at.to_zoned_datetime(stockholm());
    let time = local.time();
    is_office_day(local.date()) && OPENING <= time && time < CLOSING
}

fn is_weekday(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Office-day test that computes each year's holidays once.
struct Calendar {
    year: i16,
    holidays: Vec<Date>,
}

impl Calendar {
    fn new() -> Self {
        Self {
            year: i16::MIN,
            holidays: Vec::new(),
        }
    }

    fn is_office_day(&mut self, date: Date) -> bool {
        if !is_weekday(date) {
            return false;
        }
        if date.year() != self.year {
            self.year = date.year();
            self.holidays = holidays(self.year).into_iter().map(|(d, _)| d).collect();
        }
        !self.holidays.contains(&date)
    }

    /// Office hours in a whole year, or `None` at the edge of the calendar.
    fn office_hours_in_year(&mut self, year: i16) -> Option<SignedDuration> {
        let mut day = Date::new(year, 1, 1).ok()?;
        let mut count: i64 = 0;
        while day.year() == year {
            if self.is_office_day(day) {
                count += 1;
            }
            day = day.tomorrow().ok()?;
        }
        Some(SignedDuration::from_hours(count * HOURS_PER_OFFICE_DAY))
    }
}

/// Opening and closing instants of `date`.
fn office_window(date: Date, tz: &TimeZone) -> Option<(Timestamp, Timestamp)> {
    let open = date
        .to_datetime(OPENING)
        .to_zoned_datetime(tz.clone())
        .ok()?;
    let close = date
        .to_datetime(CLOSING)
        .to_zoned_datetime(tz.clone())
        .ok()?;
    Some((open.timestamp(), close.timestamp()))
}

/// The instant when `hours` office hours have passed since `start`.
///
/// Time outside office hours does not count: a start outside them counts from the next
/// opening. A result that falls exactly on a closing time is that closing time (17:00), not
/// the next opening. `hours <= 0` returns `start` unchanged. The result saturates at
/// [`Timestamp::MAX`] if it would lie beyond the supported calendar.
pub fn add_office_hours(start: Timestamp, hours: i64) -> Timestamp {
    if hours <= 0 {
        return start;
    }
    let Some(mut remaining) = hours.checked_mul(3600).map(SignedDuration::from_secs) else {
        return Timestamp::MAX;
    };
    let tz = stockholm();
    let mut calendar = Calendar::new();
    let mut day = start.to_zoned_datetime(tz.clone()).date();
    loop {
        // Skip whole years at once so that huge inputs finish quickly. Stockholm's clock
        // changes all happen at night, so every office day is exactly 9 hours long.
        if day.month() == 1 && day.day() == 1 {
            while let Some(year_hours) = calendar.office_hours_in_year(day.year())
                && remaining > year_hours
            {
                remaining -= year_hours;
                let next = day
                    .year()
                    .checked_add(1)
                    .and_then(|y| Date::new(y, 1, 1).ok());
                match next {
                    Some(next) => day = next,
                    None => return Timestamp::MAX,
                }
            }
        }
        if calendar.is_office_day(day) {
            let Some((open, close)) = office_window(day, &tz) else {
                return Timestamp::MAX;
            };
            let begin = open.max(start);
            if begin < close {
                let available = close.duration_since(begin);
                if remaining <= available {
                    return begin.checked_add(remaining).unwrap_or(Timestamp::MAX);
                }
                remaining -= available;
            }
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => return Timestamp::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        // Local Swedish wall time, e.g. "2026-12-22T10:00".
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned_datetime(stockholm()).unwrap().timestamp()
    }

    fn local(ts: Timestamp) -> String {
        ts.to_zoned_datetime(stockholm()).to_string()
    }

    #[test]
    fn easter_known_dates() {
        let known = [
            (1818, 3, 22),
            (1900, 4, 15),
            (1943, 4, 25),
            (1954, 4, 18),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2016, 3, 27),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2030, 4, 21),
            (2038, 4, 25),
            (2100, 3, 28),
            (2285, 3, 22),
        ];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
        for y in [-9999, -1, 0, 1, 9999, i16::MIN, i16::MAX] {
            let _ = easter_sunday(y);
            let _ = holidays(y);
        }
    }

    #[test]
    fn holidays_2026() {
        let list = holidays(2026);
        let expected = [
            (date(2026, 1, 1), "Nyårsdagen"),
            (date(2026, 1, 6), "Trettondedag jul"),
            (date(2026, 4, 3), "Långfredagen"),
            (date(2026, 4, 5), "Påskdagen"),
            (date(2026, 4, 6), "Annandag påsk"),
            (date(2026, 5, 1), "Första maj"),
            (date(2026, 5, 14), "Kristi himmelsfärds dag"),
            (date(2026, 5, 24), "Pingstdagen"),
            (date(2026, 6, 6), "Sveriges nationaldag"),
            (date(2026, 6, 19), "Midsommarafton"),
            (date(2026, 6, 20), "Midsommardagen"),
            (date(2026, 10, 31), "Alla helgons dag"),
            (date(2026, 12, 24), "Julafton"),
            (date(2026, 12, 25), "Juldagen"),
            (date(2026, 12, 26), "Annandag jul"),
            (date(2026, 12, 31), "Nyårsafton"),
        ];
        assert_eq!(list, expected);
        assert_eq!(
            holiday_name(date(2026, 5, 14)),
            Some("Kristi himmelsfärds dag")
        );
        assert_eq!(holiday_name(date(2026, 5, 15)), None);
    }

    #[test]
    fn midsommar_and_all_saints() {
        let cases = [
            (2023, date(2023, 6, 23), date(2023, 11, 4)),
            (2024, date(2024, 6, 21), date(2024, 11, 2)),
            (2025, date(2025, 6, 20), date(2025, 11, 1)),
            (2026, date(2026, 6, 19), date(2026, 10, 31)),
            (2027, date(2027, 6, 25), date(2027, 11, 6)),
            (2028, date(2028, 6, 23), date(2028, 11, 4)),
        ];
        for (year, eve, all_saints) in cases {
            let list = holidays(year);
            assert!(list.contains(&(eve, "Midsommarafton")), "{year}");
            assert!(
                list.contains(&(eve.tomorrow().unwrap(), "Midsommardagen")),
                "{year}"
            );
            assert!(list.contains(&(all_saints, "Alla helgons dag")), "{year}");
            assert_eq!(eve.weekday(), Weekday::Friday);
            assert_eq!(all_saints.weekday(), Weekday::Saturday);
        }
    }

    #[test]
    fn office_days() {
        assert!(is_office_day(date(2026, 12, 22)));
        assert!(!is_office_day(date(2026, 12, 24)));
        assert!(!is_office_day(date(2026, 12, 19))); // Saturday
        assert!(!is_office_day(date(2026, 12, 20))); // Sunday
        assert!(!is_office_day(date(2026, 6, 19))); // Midsommarafton
        assert!(!is_office_day(date(2026, 4, 3))); // Långfredagen
        assert!(!is_office_day(date(2026, 4, 6))); // Annandag påsk
        assert!(is_office_day(date(2026, 4, 7)));
        assert!(is_within_office_hours(at("2026-12-22T08:00")));
        assert!(is_within_office_hours(at("2026-12-22T16:59")));
        assert!(!is_within_office_hours(at("2026-12-22T17:00")));
        assert!(!is_within_office_hours(at("2026-12-22T07:59")));
        assert!(!is_within_office_hours(at("2026-12-24T10:00")));
    }

    #[test]
    fn within_one_day() {
        let start = at("2026-12-22T10:00");
        assert_eq!(
            local(add_office_hours(start, 1)),
            "2026-12-22T11:00:00+01:00[Europe/Stockholm]"
        );
        // Ending exactly at closing time gives 17:00 of that day.
        assert_eq!(
            local(add_office_hours(start, 7)),
            "2026-12-22T17:00:00+01:00[Europe/Stockholm]"
        );
        assert_eq!(
            local(add_office_hours(start, 8)),
            "2026-12-23T09:00:00+01:00[Europe/Stockholm]"
        );
        assert_eq!(add_office_hours(start, 0), start);
        assert_eq!(add_office_hours(start, -5), start);
    }

    #[test]
    fn year_end_skips_christmas_new_year_and_epiphany() {
        let start = at("2026-12-22T10:00");
        // 22 Dec 7 h, 23 Dec 9 h, 28–30 Dec 27 h = 43 h; 24–27 and 31 Dec–3 Jan closed.
        assert_eq!(
            local(add_office_hours(start, 48)),
            "2027-01-04T13:00:00+01:00[Europe/Stockholm]"
        );
        // 4–5 Jan 18 h more; 6 Jan (trettondedag jul) closed.
        assert_eq!(
            local(add_office_hours(start, 66)),
            "2027-01-07T13:00:00+01:00[Europe/Stockholm]"
        );
    }

    #[test]
    fn friday_afternoon_and_weekends() {
        let friday = at("2026-06-12T16:00");
        assert_eq!(
            local(add_office_hours(friday, 1)),
            "2026-06-12T17:00:00+02:00[Europe/Stockholm]"
        );
        assert_eq!(
            local(add_office_hours(friday, 2)),
            "2026-06-15T09:00:00+02:00[Europe/Stockholm]"
        );
        // Midsommarafton, Friday 19 June, is closed.
        assert_eq!(
            local(add_office_hours(friday, 37)),
            "2026-06-18T17:00:00+02:00[Europe/Stockholm]"
        );
        assert_eq!(
            local(add_office_hours(friday, 38)),
            "2026-06-22T09:00:00+02:00[Europe/Stockholm]"
        );
        assert_eq!(
            local(add_office_hours(friday, 48)),
            "2026-06-23T10:00:00+02:00[Europe/Stockholm]"
        );
        let saturday = at("2026-06-13T12:00");
        assert_eq!(
            local(add_office_hours(saturday, 1)),
            "2026-06-15T09:00:00+02:00[Europe/Stockholm]"
        );
        let before_opening = at("2026-06-15T06:30");
        assert_eq!(
            local(add_office_hours(before_opening, 9)),
            "2026-06-15T17:00:00+02:00[Europe/Stockholm]"
        );
        let after_closing = at("2026-06-15T17:00");
        assert_eq!(
            local(add_office_hours(after_closing, 1)),
            "2026-06-16T09:00:00+02:00[Europe/Stockholm]"
        );
    }

    #[test]
    fn across_daylight_saving_changes() {
        // Summer time starts Sunday 29 March 2026.
        let friday = at("2026-03-27T16:00");
        let result = add_office_hours(friday, 2);
        assert_eq!(local(result), "2026-03-30T09:00:00+02:00[Europe/Stockholm]");
        assert_eq!(result.to_string(), "2026-03-30T07:00:00Z");
        // Winter time starts Sunday 25 October 2026.
        let friday = at("2026-10-23T16:00");
        let result = add_office_hours(friday, 2);
        assert_eq!(local(result), "2026-10-26T09:00:00+01:00[Europe/Stockholm]");
        assert_eq!(result.to_string(), "2026-10-26T08:00:00Z");
        // Starting in the night of the change itself.
        let night: Timestamp = "2026-03-29T01:30:00Z".parse().unwrap();
        assert_eq!(
            local(add_office_hours(night, 1)),
            "2026-03-30T09:00:00+02:00[Europe/Stockholm]"
        );
    }

    #[test]
    fn huge_inputs_saturate_quickly() {
        let start = at("2026-12-22T10:00");
        assert_eq!(add_office_hours(start, i64::MAX), Timestamp::MAX);
        assert_eq!(add_office_hours(start, i64::MAX / 3600), Timestamp::MAX);
        assert_eq!(add_office_hours(Timestamp::MAX, 1), Timestamp::MAX);
        let far = add_office_hours(Timestamp::MIN, 1_000_000);
        assert!(far > Timestamp::MIN);
        // Year skipping agrees with day-by-day counting: 2027 has 253 office days.
        let new_year = at("2027-01-01T00:00");
        let hours_2027 = 253 * HOURS_PER_OFFICE_DAY;
        assert_eq!(
            local(add_office_hours(new_year, hours_2027)),
            "2027-12-30T17:00:00+01:00[Europe/Stockholm]"
        );
        assert_eq!(
            local(add_office_hours(new_year, hours_2027 + 1)),
            "2028-01-03T09:00:00+01:00[Europe/Stockholm]"
        );
    }

    /// Within office hours, counting a result at closing time as inside.
    fn in_office_hours_or_closing(ts: Timestamp) -> bool {
        let local = ts.to_zoned_datetime(stockholm());
        let time = local.time();
        is_office_day(local.date()) && OPENING < time && time <= CLOSING
    }

    fn any_start() -> impl Strategy<Value = Timestamp> {
        // 2020–2035, in whole minutes.
        (1_577_836_800i64 / 60..2_082_758_400 / 60)
            .prop_map(|m| Timestamp::from_second(m * 60).unwrap())
    }

    proptest! {
        #[test]
        fn result_is_in_office_hours_and_after_start(start in any_start(), hours in 1i64..2000) {
            let end = add_office_hours(start, hours);
            prop_assert!(end > start);
            prop_assert!(in_office_hours_or_closing(end), "{}", local(end));
            // At least the office hours themselves have passed.
            prop_assert!(end.duration_since(start) >= SignedDuration::from_hours(hours));
        }

        #[test]
        fn adding_in_steps_is_the_same(start in any_start(), h1 in 1i64..500, h2 in 1i64..500) {
            let start = if is_within_office_hours(start) {
                start
            } else {
                // Move to the next opening so that the property's precondition holds.
                add_office_hours(start, 1) - SignedDuration::from_hours(1)
            };
            prop_assert!(is_within_office_hours(start));
            let stepwise = add_office_hours(add_office_hours(start, h1), h2);
            prop_assert_eq!(stepwise, add_office_hours(start, h1 + h2));
        }
    }
}
