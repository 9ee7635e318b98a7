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
/// Responses write it straight into the body, without a `String` per value.
#[derive(Debug, Clone, Copy)]
pub struct Instant(pub i64);

/// An instant's wire form in a fixed buffer.
#[derive(Debug, Clone, Copy)]
pub struct InstantText {
    buf: [u8; 32],
    len: usize,
}

impl InstantText {
    pub fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl Instant {
    /// The wire form, digit by digit: a search page renders four instants per row, and
    /// `fmt` machinery per field was 15 % of a 100-row page's server time (chrono's `format`,
    /// which re-parses its pattern per call, was 7 % before that).
    pub fn text(self) -> InstantText {
        use chrono::{Datelike, Timelike};
        let mut out = InstantText {
            buf: [0; 32],
            len: 0,
        };
        let Some(t) = Utc.timestamp_millis_opt(self.0).single() else {
            return out;
        };
        let year = t.year();
        if !(0..=9999).contains(&year) {
            // Outside what parse_instant stores; the general path keeps its exact text.
            let s = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                year,
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                t.timestamp_subsec_millis()
            );
            let n = s.len().min(out.buf.len());
            out.buf[..n].copy_from_slice(&s.as_bytes()[..n]);
            out.len = n;
            return out;
        }
        let fields = [
            (year as u32, 4, b'-'),
            (t.month(), 2, b'-'),
            (t.day(), 2, b'T'),
            (t.hour(), 2, b':'),
            (t.minute(), 2, b':'),
            (t.second(), 2, b'.'),
            (t.timestamp_subsec_millis(), 3, b'Z'),
        ];
        let mut at = 0;
        for (value, width, sep) in fields {
            let mut v = value;
            for i in (0..width).rev() {
                out.buf[at + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            out.buf[at + width] = sep;
            at += width + 1;
        }
        out.len = at;
        out
    }
}

impl std::fmt::Display for Instant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text().as_str())
    }
}

impl serde::Serialize for Instant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text().as_str())
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
            1_764_763_200_007,
            951_782_400_000,
        ];
        for ms in samples {
            let t = Utc.timestamp_millis_opt(ms).single().expect("in range");
            let want = t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            assert_eq!(format_ms(ms), want, "{ms}");
            assert_eq!(parse_instant(&want), Some(ms));
        }
        // Beyond year 9999 (never stored) the text is still the old general form.
        assert_eq!(format_ms(253_402_300_800_000), "10000-01-01T00:00:00.000Z");
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
