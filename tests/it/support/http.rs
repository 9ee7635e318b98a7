//! A minimal blocking HTTP/1.1 client (one connection per request) for tests that drive a real
//! server from threads: crash, shutdown and fault injection.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A response, or why there was none (connection refused or cut: the outcome is unknown).
pub type Outcome = Result<(u16, Value), String>;

/// Sends one request with the bearer token and an optional JSON body.
pub fn send(
    base_url: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Outcome {
    let (status, text) = send_text(base_url, method, path, token, body, timeout)?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// As [`send`], with the body as text.
pub fn send_text(
    base_url: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> Result<(u16, String), String> {
    let host = base_url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    if raw.is_empty() {
        // Closed without a byte: the server never served it (e.g. accepted while shutting down).
        return Err("no response".into());
    }
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no complete response")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status line")?;
    let length: Option<usize> = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse().ok())?
    });
    if length.is_some_and(|n| body.len() < n) {
        return Err("response cut short".into());
    }
    Ok((status, body.to_owned()))
}
