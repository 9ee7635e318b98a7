//! HubSpot's request signatures: v3 (`X-HubSpot-Signature-v3`: base64 of HMAC-SHA256, keyed
//! by the app's client secret, over method, URI, body and the `X-HubSpot-Request-Timestamp`
//! value) and v1 (`X-HubSpot-Signature`: hex SHA-256 of secret then body).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub fn v3(secret: &str, method: &str, uri: &str, body: &[u8], timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(method.as_bytes());
    mac.update(uri.as_bytes());
    mac.update(body);
    mac.update(timestamp.to_string().as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

pub fn v1(secret: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(secret.as_bytes());
    h.update(body);
    hex::encode(h.finalize())
}
