//! Paging cursors. `after` is opaque: the sort value and id of the last row of the page, so the
//! next page starts right after it whatever was inserted meanwhile (keyset, not OFFSET). A
//! purely numeric `after`, as clients that count offsets send, is read as an offset.

use super::ast::{Operand, Target};
use crate::engine::types::PropertyType;
use crate::error::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

const PREFIX: &str = "gp1.";

/// Where a page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Start,
    /// A row count to skip (numeric `after`).
    Offset(i64),
    /// After the row with this sort value (`None`: the value was empty) and id.
    Key(Option<Operand>, i64),
}

/// The cursor for the page after a row.
pub fn encode(sort_value: Option<&Operand>, id: i64) -> String {
    let v = match sort_value {
        None => Value::Null,
        Some(Operand::Int(n)) => json!(n),
        Some(Operand::Num(f)) => json!(f),
        Some(Operand::Text(s)) => json!(s),
    };
    let raw = json!({"v": v, "i": id}).to_string();
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw))
}

fn invalid(after: &str) -> ApiError {
    let shown: String = after.chars().take(64).collect();
    ApiError::bad_request(format!(
        "after {shown:?} is not a cursor from paging.next.after of this search"
    ))
}

/// Reads `after` for a search sorted by `sort` (`None`: creation order).
pub fn decode(after: Option<&str>, sort: Option<&Target>) -> Result<After, ApiError> {
    let Some(after) = after.map(str::trim).filter(|a| !a.is_empty()) else {
        return Ok(After::Start);
    };
    if after.bytes().all(|b| b.is_ascii_digit()) {
        return after
            .parse::<i64>()
            .map(After::Offset)
            .map_err(|_| invalid(after));
    }
    let body = after.strip_prefix(PREFIX).ok_or_else(|| invalid(after))?;
    let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| invalid(after))?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| invalid(after))?;
    let id = v["i"].as_i64().ok_or_else(|| invalid(after))?;
    let value = match (&v["v"], sort) {
        (Value::Null, _) => None,
        (_, None) => return Err(invalid(after)),
        (val, Some(Target::Id | Target::TimeColumn(_))) => {
            Some(Operand::Int(val.as_i64().ok_or_else(|| invalid(after))?))
        }
        (val, Some(Target::Doc(_, PropertyType::Number))) => {
            Some(Operand::Num(val.as_f64().ok_or_else(|| invalid(after))?))
        }
        (val, Some(Target::Doc(..))) => Some(Operand::Text(
            val.as_str().ok_or_else(|| invalid(after))?.to_owned(),
        )),
        (_, Some(Target::Association(_))) => return Err(invalid(after)),
    };
    Ok(After::Key(value, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_forgeries() {
        let t = Target::Doc("hs_target_amount".into(), PropertyType::Number);
        let c = encode(Some(&Operand::Num(12.5)), 7);
        assert_eq!(
            decode(Some(&c), Some(&t)).unwrap(),
            After::Key(Some(Operand::Num(12.5)), 7)
        );
        let c = encode(None, 9);
        assert_eq!(decode(Some(&c), Some(&t)).unwrap(), After::Key(None, 9));
        assert_eq!(decode(Some("200"), None).unwrap(), After::Offset(200));
        assert_eq!(decode(None, None).unwrap(), After::Start);
        for bad in ["gp1.%%%", "xyz", "gp1.e30", "1e5", "-3"] {
            assert!(decode(Some(bad), Some(&t)).is_err(), "{bad}");
        }
    }
}
