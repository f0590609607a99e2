//! Date-times as the data sets write them (`YYYY-MM-DDTHH:MM`, a space may replace `T`,
//! `:SS` may follow), and the parts derived columns take from them.

/// A calendar date and time of day (no time zone: the data's local time). Ordered in time
/// (the fields compare in this order), for `split.order_by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct DateTime {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl DateTime {
    /// Parses `YYYY-MM-DDTHH:MM[:SS]`; `None` if malformed or not a real date or time.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (date, time) = text.split_once(['T', ' '])?;
        let mut date_parts = date.splitn(3, '-');
        let year: i32 = number(date_parts.next()?, 4)?;
        let month: u8 = number(date_parts.next()?, 2)?;
        let day: u8 = number(date_parts.next()?, 2)?;
        let mut time_parts = time.split(':');
        let hour: u8 = number(time_parts.next()?, 2)?;
        let minute: u8 = number(time_parts.next()?, 2)?;
        let second: u8 = time_parts.next().map_or(Some(0), |s| number(s, 2))?;
        let valid = (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60
            && time_parts.next().is_none();
        valid.then_some(Self { year, month, day, hour, minute, second })
    }

    /// Hour of the day, 0..=23.
    pub(crate) fn hour(self) -> u8 {
        self.hour
    }

    /// Month, 1..=12.
    pub(crate) fn month(self) -> u8 {
        self.month
    }

    /// Day of the week, 0 = Monday ..= 6 = Sunday (proleptic Gregorian calendar).
    pub(crate) fn day_of_week(self) -> u8 {
        // Days since 1970-01-01 (a Thursday, index 3), from the civil date.
        let (y, m) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let era = y.div_euclid(400);
        let year_of_era = y - era * 400;
        let day_of_year = (153 * m + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        let days = era * 146_097 + day_of_era - 719_468;
        (days + 3).rem_euclid(7) as u8
    }
}

/// A field of exactly `width` ASCII digits.
fn number<T: std::str::FromStr>(text: &str, width: usize) -> Option<T> {
    (text.len() == width && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok())?
}

fn days_in_month(year: i32, month: u8) -> u8 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_derives_parts() {
        let t = DateTime::parse("2001-01-01T00:01").unwrap();
        assert_eq!((t.hour(), t.month(), t.day_of_week()), (0, 1, 0)); // a Monday
        let t = DateTime::parse("2001-06-30 23:59:59").unwrap();
        assert_eq!((t.hour(), t.month(), t.day_of_week()), (23, 6, 5)); // a Saturday
        assert_eq!(DateTime::parse("2000-02-29T12:00").unwrap().day_of_week(), 1); // Tuesday
        assert_eq!(DateTime::parse("1970-01-01T00:00").unwrap().day_of_week(), 3);
        // Thursday
    }

    #[test]
    fn orders_in_time() {
        let t = |s: &str| DateTime::parse(s).unwrap();
        assert!(t("2017-11-06 16:00:01") > t("2017-11-06 16:00:00"));
        assert!(t("2017-11-06 16:01:00") > t("2017-11-06 16:00:59"));
        assert!(t("2017-11-07 00:00:00") > t("2017-11-06 23:59:59"));
        assert!(t("2018-01-01T00:00") > t("2017-12-31T23:59"));
        assert_eq!(t("2017-11-06 16:00"), t("2017-11-06T16:00:00"));
    }

    #[test]
    fn rejects_malformed_and_impossible() {
        for bad in [
            "2001-02-29T10:00",
            "2001-13-01T10:00",
            "2001-01-01T24:00",
            "2001-1-01T10:00",
            "2001-01-01",
            "abc",
            "2001-01-01T10:00:00:00",
        ] {
            assert!(DateTime::parse(bad).is_none(), "{bad}");
        }
    }
}
