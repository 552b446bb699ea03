//! The calendar in Italy: what date it is in Europe/Rome at an instant, and months arithmetic.
//!
//! Every onboarding rule counts calendar days as a person in Italy counts them: a proposta sent at
//! 00:30 on 15 January in Rome (23:30 UTC on the 14th) was sent on the 15th. The `time` crate
//! has no time-zone database, and this crate does no I/O, so the offset of Europe/Rome is
//! computed from the rule Italy follows since 1996, Directive 2000/84/EC:
//! - art. 2: "the summer-time period shall begin, in every Member State, at 1.00 a.m., Greenwich
//!   Mean Time, on the last Sunday in March";
//! - art. 3: "the summer-time period shall end, in every Member State, at 1.00 a.m., Greenwich
//!   Mean Time, on the last Sunday in October".
//!
//! Standard time is CET (UTC+01:00), summer time CEST (UTC+02:00). Should the EU abolish the
//! seasonal change, [`offset_roma`] is the one function to update. Dates before 1996 (when Italy's
//! rule differed) never occur in onboarding.

use time::macros::offset;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset};

use crate::ports::Clock;

/// Central European Time, Italy's standard time.
pub const CET: UtcOffset = offset!(+1);
/// Central European Summer Time.
pub const CEST: UtcOffset = offset!(+2);

/// The offset of Europe/Rome at `instant`: [`CEST`] from 01:00 UTC of the last Sunday of March to
/// 01:00 UTC of the last Sunday of October (excluded), [`CET`] otherwise.
pub fn offset_roma(instant: OffsetDateTime) -> UtcOffset {
    let Some(utc) = instant.checked_to_offset(UtcOffset::UTC) else {
        return CET;
    };
    let year = utc.year();
    match (
        cambio_ora(year, Month::March),
        cambio_ora(year, Month::October),
    ) {
        (Some(inizio), Some(fine)) if utc >= inizio && utc < fine => CEST,
        _ => CET,
    }
}

/// 01:00 UTC of the last Sunday of `month`, when the clocks change.
fn cambio_ora(year: i32, month: Month) -> Option<OffsetDateTime> {
    let ultimo = Date::from_calendar_date(year, month, month.length(year)).ok()?;
    let domenica = ultimo.checked_sub(Duration::days(
        ultimo.weekday().number_days_from_sunday().into(),
    ))?;
    Some(
        domenica
            .with_time(Time::from_hms(1, 0, 0).ok()?)
            .assume_utc(),
    )
}

/// The calendar date in Italy at `instant` (whatever offset the instant carries).
pub fn data_in_italia(instant: OffsetDateTime) -> Date {
    instant
        .checked_to_offset(offset_roma(instant))
        .unwrap_or(instant)
        .date()
}

/// Today's date in Italy according to `clock`.
pub fn oggi_in_italia(clock: &dyn Clock) -> Date {
    data_in_italia(clock.now())
}

/// The instant a date begins in Italy (00:00 in Rome), with Rome's offset; for a job that wants
/// to wake up on a given day.
///
/// Midnight is never skipped nor repeated in Rome (the clocks change at 02:00 and 03:00 local
/// time), and the offset of the hour before midnight is the offset at midnight, so the offset
/// found for 00:00 CET is the right one.
pub fn inizio_giorno_in_italia(date: Date) -> OffsetDateTime {
    let mezzanotte = date.midnight();
    mezzanotte.assume_offset(offset_roma(mezzanotte.assume_offset(CET)))
}

/// `date` moved by `mesi` calendar months (negative: back), keeping the day of the month, or the
/// last day of the target month when it is shorter: 31 May − 3 months = 28 February (29 in a leap
/// year); 30 November − 3 months = 30 August.
///
/// This is how the Codice civile counts terms in months (art. 2963, commi 4-5): "La prescrizione a
/// mesi si verifica nel mese di scadenza e nel giorno di questo corrispondente al giorno del mese
/// iniziale. Se nel mese di scadenza manca tale giorno, il termine si compie con l'ultimo giorno
/// dello stesso mese." Results beyond the range of [`Date`] saturate at [`Date::MIN`] /
/// [`Date::MAX`].
pub fn sposta_mesi(date: Date, mesi: i32) -> Date {
    let indice =
        i64::from(date.year()) * 12 + i64::from(u8::from(date.month())) - 1 + i64::from(mesi);
    let anno = indice.div_euclid(12);
    let mese0 = indice.rem_euclid(12);
    let (Ok(anno), Ok(mese)) = (i32::try_from(anno), u8::try_from(mese0 + 1)) else {
        return if mesi < 0 { Date::MIN } else { Date::MAX };
    };
    let Ok(mese) = Month::try_from(mese) else {
        return date;
    };
    let giorno = date.day().min(mese.length(anno));
    Date::from_calendar_date(anno, mese, giorno).unwrap_or(if mesi < 0 {
        Date::MIN
    } else {
        Date::MAX
    })
}

/// Three calendar months before `date` (see [`sposta_mesi`]): the first day on which a richiesta
/// firma remota may be forwarded for an adhesion on `date`.
pub fn tre_mesi_prima(date: Date) -> Date {
    sposta_mesi(date, -3)
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;
    use crate::FixedClock;

    #[test]
    fn summer_time_starts_and_ends_at_one_utc_on_the_last_sundays() {
        // 2026: last Sunday of March is the 29th, of October the 25th.
        assert_eq!(offset_roma(datetime!(2026-03-29 00:59:59 UTC)), CET);
        assert_eq!(offset_roma(datetime!(2026-03-29 01:00:00 UTC)), CEST);
        assert_eq!(offset_roma(datetime!(2026-10-25 00:59:59 UTC)), CEST);
        assert_eq!(offset_roma(datetime!(2026-10-25 01:00:00 UTC)), CET);
        // 2027: the 28th of March and the 31st of October (a month ending on a Sunday).
        assert_eq!(offset_roma(datetime!(2027-03-28 00:30 UTC)), CET);
        assert_eq!(offset_roma(datetime!(2027-03-28 01:30 UTC)), CEST);
        assert_eq!(offset_roma(datetime!(2027-10-31 00:30 UTC)), CEST);
        assert_eq!(offset_roma(datetime!(2027-10-31 01:30 UTC)), CET);
        // Mid-winter, mid-summer, and an instant given in another offset.
        assert_eq!(offset_roma(datetime!(2026-01-15 12:00 UTC)), CET);
        assert_eq!(offset_roma(datetime!(2026-07-15 12:00 UTC)), CEST);
        assert_eq!(offset_roma(datetime!(2026-03-29 03:30 +02:00)), CEST);
        assert_eq!(offset_roma(datetime!(2026-03-29 01:30 +01:00)), CET);
    }

    #[test]
    fn the_date_in_italy_changes_at_midnight_in_rome_not_in_utc() {
        // Winter: Rome is UTC+1, so 23:00 UTC is already tomorrow.
        assert_eq!(
            data_in_italia(datetime!(2026-01-14 22:59:59 UTC)),
            date!(2026 - 01 - 14)
        );
        assert_eq!(
            data_in_italia(datetime!(2026-01-14 23:00 UTC)),
            date!(2026 - 01 - 15)
        );
        // Summer: UTC+2, 22:00 UTC is tomorrow.
        assert_eq!(
            data_in_italia(datetime!(2026-07-14 21:59:59 UTC)),
            date!(2026 - 07 - 14)
        );
        assert_eq!(
            data_in_italia(datetime!(2026-07-14 22:00 UTC)),
            date!(2026 - 07 - 15)
        );
        // Between 22:00 and 23:00 UTC the answer depends on the season.
        assert_eq!(
            data_in_italia(datetime!(2026-12-31 22:30 UTC)),
            date!(2026 - 12 - 31)
        );
        assert_eq!(
            data_in_italia(datetime!(2026-12-31 23:30 UTC)),
            date!(2027 - 01 - 01)
        );
        let clock = FixedClock::new(datetime!(2026-07-14 22:30 UTC));
        assert_eq!(oggi_in_italia(&clock), date!(2026 - 07 - 15));
    }

    #[test]
    fn days_begin_at_rome_midnight_across_both_clock_changes() {
        assert_eq!(
            inizio_giorno_in_italia(date!(2026 - 03 - 29)),
            datetime!(2026-03-28 23:00 UTC)
        );
        assert_eq!(
            inizio_giorno_in_italia(date!(2026 - 03 - 30)),
            datetime!(2026-03-29 22:00 UTC)
        );
        assert_eq!(
            inizio_giorno_in_italia(date!(2026 - 10 - 25)),
            datetime!(2026-10-24 22:00 UTC)
        );
        assert_eq!(
            inizio_giorno_in_italia(date!(2026 - 10 - 26)),
            datetime!(2026-10-25 23:00 UTC)
        );
        // Every day of three years: the day begins exactly at its start, not a second earlier.
        let mut d = date!(2025 - 12 - 01);
        while d < date!(2029 - 01 - 01) {
            let inizio = inizio_giorno_in_italia(d);
            assert_eq!(data_in_italia(inizio), d, "{d}");
            assert_eq!(
                data_in_italia(inizio - Duration::seconds(1)),
                d.previous_day().unwrap(),
                "{d}"
            );
            d = d.next_day().unwrap();
        }
    }

    #[test]
    fn months_keep_the_day_or_clamp_to_the_end_of_the_month() {
        assert_eq!(tre_mesi_prima(date!(2026 - 05 - 31)), date!(2026 - 02 - 28));
        assert_eq!(tre_mesi_prima(date!(2028 - 05 - 31)), date!(2028 - 02 - 29));
        assert_eq!(tre_mesi_prima(date!(2026 - 05 - 29)), date!(2026 - 02 - 28));
        assert_eq!(tre_mesi_prima(date!(2026 - 05 - 28)), date!(2026 - 02 - 28));
        assert_eq!(tre_mesi_prima(date!(2026 - 05 - 27)), date!(2026 - 02 - 27));
        assert_eq!(tre_mesi_prima(date!(2026 - 11 - 30)), date!(2026 - 08 - 30));
        assert_eq!(tre_mesi_prima(date!(2026 - 12 - 31)), date!(2026 - 09 - 30));
        assert_eq!(tre_mesi_prima(date!(2026 - 02 - 15)), date!(2025 - 11 - 15));
        assert_eq!(tre_mesi_prima(date!(2026 - 01 - 31)), date!(2025 - 10 - 31));
        assert_eq!(sposta_mesi(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(
            sposta_mesi(date!(2026 - 11 - 30), 24),
            date!(2028 - 11 - 30)
        );
        assert_eq!(sposta_mesi(date!(2026 - 11 - 30), 0), date!(2026 - 11 - 30));
        assert_eq!(sposta_mesi(Date::MAX, 1), Date::MAX);
        assert_eq!(sposta_mesi(Date::MIN, -1), Date::MIN);
        assert_eq!(sposta_mesi(date!(2026 - 01 - 01), i32::MAX), Date::MAX);
        assert_eq!(sposta_mesi(date!(2026 - 01 - 01), i32::MIN), Date::MIN);
    }

    #[test]
    fn extreme_instants_do_not_panic() {
        let _ = data_in_italia(OffsetDateTime::new_utc(
            Date::MAX,
            Time::from_hms(23, 59, 59).unwrap(),
        ));
        let _ = data_in_italia(OffsetDateTime::new_utc(Date::MIN, Time::MIDNIGHT));
        let _ = inizio_giorno_in_italia(Date::MAX);
        let _ = inizio_giorno_in_italia(Date::MIN);
    }
}
