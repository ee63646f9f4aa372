//! Standard Webhooks (<https://www.standardwebhooks.com>) signing: secrets
//! `whsec_` + base64 of 32 random bytes, and `webhook-signature: v1,<base64
//! HMAC-SHA256 over "id.timestamp.body">`, one signature per secret in
//! force, space-separated, so a receiver holding either secret of a
//! rotation accepts the message. Receivers verify with the official
//! libraries (`standardwebhooks` on PyPI and npm); nothing here is
//! Standin's own format.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

/// The prefix of every webhook secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// A fresh secret.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header for `body` under each of `secrets`.
/// A secret that is not `whsec_` + base64 signs nothing.
pub fn signature<'a>(secrets: impl IntoIterator<Item = &'a str>, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut out = String::new();
    for secret in secrets {
        let Some(key) = secret.strip_prefix(SECRET_PREFIX).and_then(|b| STANDARD.decode(b).ok()) else {
            continue;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes a key of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("v1,");
        out.push_str(&STANDARD.encode(mac.finalize().into_bytes()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference
    /// implementations (their test suites sign this message with this
    /// secret and expect this signature).
    #[test]
    fn signs_as_the_specification_s_reference_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            signature([secret], id, 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn every_secret_in_force_signs() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        let both = signature([a.as_str(), b.as_str()], "msg_1", 1, b"{}");
        let parts: Vec<_> = both.split(' ').collect();
        assert_eq!(
            parts,
            [
                signature([a.as_str()], "msg_1", 1, b"{}"),
                signature([b.as_str()], "msg_1", 1, b"{}")
            ]
        );
        assert_eq!(signature(["not-a-secret"], "msg_1", 1, b"{}"), "");
    }
}
