//! The recorder (test mode): the last [`KEEP`] requests each portal received and what it
//! answered, so a failing test can assert on what its client actually sent. Secrets never
//! enter it: the presented token is replaced wherever it appears, and credential headers are
//! left out.

use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Exchanges kept per portal (the oldest goes first).
pub const KEEP: usize = 200;
/// Body bytes kept per request or response.
pub const BODY_BYTES: usize = 64 * 1024;

const REDACTED: &str = "[REDACTED]";

/// Every portal's recent exchanges.
#[derive(Default)]
pub struct Recorder {
    by_portal: Mutex<HashMap<i64, VecDeque<Value>>>,
}

/// One request and its response, before redaction.
pub struct Exchange<'a> {
    pub at: i64,
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: Vec<(String, String)>,
    pub request: Option<&'a [u8]>,
    pub status: u16,
    pub response: Option<&'a [u8]>,
    pub duration_ms: u64,
}

/// A body as JSON when it is JSON, else text, with the token replaced; `None` when it was not
/// captured (not text, or over the size kept).
fn body(raw: Option<&[u8]>, token: &str) -> Value {
    let Some(raw) = raw else {
        return Value::Null;
    };
    let text = String::from_utf8_lossy(&raw[..raw.len().min(BODY_BYTES)]);
    let text = redact(&text, token);
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// `s` with every occurrence of the token replaced (tokens are long random strings, so no
/// other text is mistaken for one).
pub fn redact(s: &str, token: &str) -> String {
    if token.len() < 8 {
        return s.to_owned();
    }
    s.replace(token, REDACTED)
}

impl Recorder {
    /// Keeps an exchange of `portal`, made with `token`.
    pub fn record(&self, portal: i64, token: &str, e: Exchange<'_>) {
        let headers: serde_json::Map<String, Value> = e
            .headers
            .into_iter()
            .filter(|(k, _)| !matches!(k.as_str(), "authorization" | "x-api-token" | "cookie"))
            .map(|(k, v)| (k, Value::String(redact(&v, token))))
            .collect();
        // The presented token, and any other token a query string carries.
        let query = redact(e.query, token)
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("api_token", _)) => format!("api_token={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("&");
        let entry = json!({
            "at": crate::engine::value::format_ms(e.at),
            "method": e.method,
            "path": e.path,
            "query": query,
            "headers": headers,
            "body": body(e.request, token),
            "status": e.status,
            "response": body(e.response, token),
            "durationMs": e.duration_ms,
        });
        let mut all = self.by_portal.lock().unwrap_or_else(|p| p.into_inner());
        let list = all.entry(portal).or_default();
        if list.len() == KEEP {
            list.pop_front();
        }
        list.push_back(entry);
    }

    /// The last `limit` exchanges of a portal, oldest first.
    pub fn last(&self, portal: i64, limit: usize) -> Vec<Value> {
        let all = self.by_portal.lock().unwrap_or_else(|p| p.into_inner());
        let Some(list) = all.get(&portal) else {
            return Vec::new();
        };
        list.iter()
            .skip(list.len().saturating_sub(limit))
            .cloned()
            .collect()
    }

    /// Forgets a portal's exchanges; returns how many there were.
    pub fn clear(&self, portal: i64) -> usize {
        let mut all = self.by_portal.lock().unwrap_or_else(|p| p.into_inner());
        all.remove(&portal).map_or(0, |l| l.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_replaced_wherever_it_appears_and_credential_headers_are_left_out() {
        let r = Recorder::default();
        let token = "gp_secret_token_123";
        r.record(
            1,
            token,
            Exchange {
                at: 0,
                method: "POST",
                path: "/x",
                query: "api_token=gp_secret_token_123&a=1&api_token=other",
                headers: vec![
                    ("authorization".into(), format!("Bearer {token}")),
                    ("x-note".into(), token.into()),
                ],
                request: Some(br#"{"t":"gp_secret_token_123"}"#),
                status: 200,
                response: Some(b"ok"),
                duration_ms: 1,
            },
        );
        let shown = r.last(1, 10)[0].to_string();
        assert!(
            !shown.contains(token) && !shown.contains("other"),
            "{shown}"
        );
        assert!(!shown.contains("authorization"), "{shown}");
        assert!(shown.contains(REDACTED));
        assert_eq!(r.last(1, 10)[0]["body"]["t"], REDACTED);
        assert_eq!(r.clear(1), 1);
        assert!(r.last(1, 10).is_empty());
    }
}
