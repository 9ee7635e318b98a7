//! Change events leaving the process: HubSpot-style webhook settings and subscriptions per
//! portal and app (`store`), the payload shape (`payload`), signatures (`sign`) and the
//! delivery loop (`deliver`). The events themselves are recorded by the engine
//! (`engine::events`) in each write's transaction.

pub mod cli;
pub mod deliver;
pub mod payload;
pub mod pipedrive;
pub mod sign;
pub mod store;

/// The longest target URL accepted.
pub const MAX_URL: usize = 2048;

/// A URL events may be sent to: http or https, with a host, no credentials, at most
/// [`MAX_URL`] characters. The error says what is wrong with it.
pub fn check_url(raw: &str) -> Result<(), String> {
    if raw.len() > MAX_URL {
        return Err(format!("is longer than {MAX_URL} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must use http or https".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    Ok(())
}
