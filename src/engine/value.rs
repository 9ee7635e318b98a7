//! Property values: every value is a string on the wire; each is checked and normalised by its
//! property's type before it is stored, so stored text compares correctly in SQL.

use super::types::{PropertyDef, PropertyType};
use crate::error::ErrorDetail;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// HubSpot's cap on a string value.
pub const MAX_STRING_CHARS: usize = 65_536;

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The wire and storage form of an instant: fixed-width ISO 8601 UTC with milliseconds, so text
/// order is time order.
pub fn format_ms(ms: i64) -> String {
    Instant(ms).to_string()
}

/// An instant in epoch milliseconds, displayed in its wire form (nothing when out of range).
/// Responses write it straight into the body through `Display`, without a `String` per value.
#[derive(Debug, Clone, Copy)]
pub struct Instant(pub i64);

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use chrono::{Datelike, Timelike};
        // Written field by field: chrono's `format` re-parses its pattern on every call, which
        // was 7 % of the server's time rendering 100-row search pages (four instants per row).
        let Some(t) = Utc.timestamp_millis_opt(self.0).single() else {
            return Ok(());
        };
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.timestamp_subsec_millis()
        )
    }
}

impl serde::Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Parses an instant given as epoch milliseconds, an ISO 8601 date-time (with or without an
/// offset; none means UTC) or an ISO date (midnight UTC). Years outside 1..=9999 are refused so
/// the stored text stays fixed-width.
pub fn parse_instant(raw: &str) -> Option<i64> {
    let s = raw.trim();
    let ms = if !s.is_empty()
        && s.trim_start_matches('-')
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        s.parse::<i64>().ok()?
    } else if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        t.timestamp_millis()
    } else if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        // Pipedrive's form: a space instead of the `T`.
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f"))
    {
        t.and_utc().timestamp_millis()
    } else if let Ok(t) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
        t.and_utc().timestamp_millis()
    } else {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()?
            .and_hms_opt(0, 0, 0)?
            .and_utc()
            .timestamp_millis()
    };
    // 0001-01-01 .. 9999-12-31T23:59:59.999Z
    (-62_135_596_800_000..=253_402_300_799_999)
        .contains(&ms)
        .then_some(ms)
}

/// Parses a number the way HubSpot accepts it: decimal text, optional sign and exponent.
pub fn parse_number(raw: &str) -> Option<f64> {
    let s = raw.trim();
    let looks_numeric = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    let v: f64 = if looks_numeric {
        s.parse().ok()?
    } else {
        return None;
    };
    v.is_finite().then_some(v)
}

/// Checks and normalises one value. `Ok(None)` means "clear the value" (an empty string).
pub fn normalize(def: &PropertyDef, raw: &str) -> Result<Option<String>, Box<ErrorDetail>> {
    if raw.is_empty() {
        return Ok(None);
    }
    let name = def.name.as_str();
    let fail =
        |code: &str, message: String| Err(Box::new(ErrorDetail::property(code, name, message)));
    // PostgreSQL's JSONB cannot hold NUL, so neither backend stores it.
    if raw.contains('\0') {
        return fail(
            "INVALID_PROPERTY_VALUE",
            format!("The value of {name} contains a NUL character"),
        );
    }
    match def.kind {
        PropertyType::String => {
            if raw.chars().count() > MAX_STRING_CHARS {
                return fail(
                    "INVALID_LENGTH",
                    format!("{name} is longer than {MAX_STRING_CHARS} characters"),
                );
            }
            Ok(Some(raw.to_owned()))
        }
        PropertyType::Number => match parse_number(raw) {
            Some(_) => Ok(Some(raw.trim().to_owned())),
            None => fail("INVALID_INTEGER", format!("{raw} was not a valid number")),
        },
        PropertyType::Bool => match raw.trim().to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(Some(v.to_owned())),
            _ => fail(
                "INVALID_OPTION",
                format!("{raw} was not one of the allowed options: [true, false]"),
            ),
        },
        PropertyType::Enumeration => {
            let allowed = |v: &str| def.options.iter().any(|o| o.value == v);
            // Checkbox enumerations hold several options joined with ';'.
            let ok = if def.field_type == "checkbox" {
                raw.split(';').filter(|v| !v.is_empty()).all(allowed)
            } else {
                allowed(raw)
            };
            if ok {
                Ok(Some(raw.to_owned()))
            } else {
                let names: Vec<&str> = def.options.iter().map(|o| o.value.as_str()).collect();
                fail(
                    "INVALID_OPTION",
                    format!(
                        "{raw} was not one of the allowed options: [{}]",
                        names.join(", ")
                    ),
                )
            }
        }
        PropertyType::Datetime => match parse_instant(raw) {
            Some(ms) => Ok(Some(format_ms(ms))),
            None => fail(
                "INVALID_DATE",
                format!("{raw} is not a valid datetime for {name}: use ISO 8601 or epoch milliseconds"),
            ),
        },
        PropertyType::Date => match parse_instant(raw) {
            Some(ms) if ms.rem_euclid(86_400_000) == 0 => Ok(Some(format_ms(ms)[..10].to_owned())),
            _ => fail(
                "INVALID_DATE",
                format!("{raw} is not a valid date for {name}: use YYYY-MM-DD or epoch milliseconds at midnight UTC"),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_every_accepted_form_normalise_to_one_text() {
        let want = Some(1_798_761_600_000); // 2027-01-01T00:00:00Z
        assert_eq!(parse_instant("1798761600000"), want);
        assert_eq!(parse_instant("2027-01-01T00:00:00Z"), want);
        assert_eq!(parse_instant("2027-01-01T01:00:00+01:00"), want);
        assert_eq!(parse_instant("2027-01-01T00:00:00.000"), want);
        assert_eq!(parse_instant("2027-01-01"), want);
        assert_eq!(format_ms(1_798_761_600_000), "2027-01-01T00:00:00.000Z");
        assert_eq!(parse_instant("tomorrow"), None);
        assert_eq!(parse_instant("99999999999999999"), None);
    }

    #[test]
    fn instants_format_as_chrono_formats_them() {
        // Every millisecond field, both sides of the epoch, and the year bounds parse allows.
        let samples = [
            0,
            1,
            -1,
            999,
            86_399_999,
            1_709_164_800_123,
            -62_135_596_800_000,
            253_402_300_799_999,
        ];
        for ms in samples {
            let t = Utc.timestamp_millis_opt(ms).single().expect("in range");
            let want = t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            assert_eq!(format_ms(ms), want, "{ms}");
            assert_eq!(parse_instant(&want), Some(ms));
        }
    }

    #[test]
    fn numbers_keep_their_text_but_must_be_numbers() {
        assert_eq!(parse_number("5000.00"), Some(5000.0));
        assert_eq!(parse_number("-1e3"), Some(-1000.0));
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("12abc"), None);
        assert_eq!(parse_number("."), None);
    }
}
