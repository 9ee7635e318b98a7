//! HTML building for the dashboard: escaping (every shown value is user data), the page shell
//! and small pieces. Pages are plain server-rendered HTML with forms: no script at all, so the
//! content security policy forbids scripts outright and everything works from a keyboard.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// The stylesheet, embedded in the binary.
pub const STYLE: &str = include_str!("style.css");

/// Escapes text for an HTML element or a quoted attribute.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a value for one URL path segment: everything but unreserved characters,
/// and dots too, so `.` and `..` stay segments.
pub fn url(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A number as a person reads it: thousands separated, at most two decimals.
pub fn num(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return if v.is_nan() {
            "—".into()
        } else {
            format!("{v:e}")
        };
    }
    let rounded = (v * 100.0).round() / 100.0;
    let neg = rounded < 0.0;
    let whole = rounded.abs().trunc() as i64;
    let frac = ((rounded.abs() - whole as f64) * 100.0).round() as i64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if neg { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac:02}")
    }
}

/// A status or pace as a badge (its class colours it; the word says it without colour).
pub fn badge(word: &str) -> String {
    let class: String = word
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    format!(
        "<span class=\"badge {class}\">{}</span>",
        esc(&word.replace('_', " "))
    )
}

/// The page shell. `nav`: whether the signed-in navigation shows (with the sign-out form).
pub fn page(status: StatusCode, title: &str, csrf: Option<&str>, body: &str) -> HttpResponse {
    let nav = match csrf {
        Some(csrf) => format!(
            "<nav aria-label=\"Main\"><a href=\"/dashboard\">Families</a><a href=\"/dashboard/leaderboard\">Leaderboard</a></nav>\
             <form method=\"post\" action=\"/dashboard/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\">Sign out</button></form>",
            esc(csrf)
        ),
        None => String::new(),
    };
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · goalpost</title><style>{STYLE}</style></head><body>\
         <header><span class=\"brand\">goalpost</span>{nav}</header><main id=\"main\">{body}</main></body></html>",
        esc(title)
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        // No scripts at all; styles only inline; forms post only here; never framed.
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header(("Cache-Control", "no-store"))
        .body(html)
}

/// A message page (a refusal, an error).
pub fn message(status: StatusCode, title: &str, text: &str, csrf: Option<&str>) -> HttpResponse {
    page(
        status,
        title,
        csrf,
        &format!(
            "<h1>{}</h1><p class=\"alert\" role=\"alert\">{}</p>",
            esc(title),
            esc(text)
        ),
    )
}

/// A redirect after a form post (303: the browser follows with a GET).
pub fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", to))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        assert_eq!(num(1234567.891), "1,234,567.89");
        assert_eq!(num(-5.0), "-5");
        assert_eq!(
            badge("on_track\"><b>"),
            "<span class=\"badge on_trackb\">on track&quot;&gt;&lt;b&gt;</span>"
        );
    }
}
