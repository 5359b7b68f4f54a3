//! Who may use the endpoint: only callers that hold the editor's access token.
//!
//! The endpoint runs code in the editor, so being able to reach 127.0.0.1 is not enough: every
//! request must carry `Authorization: Bearer <token>`. The token is made by the plugin (or
//! given by `GODOT_AI_MCP_TOKEN`), written into the clients the user sets up, and can be
//! rotated while the endpoint serves.
//!
//! Invariants:
//! - The token is compared in constant time, and never appears in a reply, an error, a log
//!   line or a `Debug` rendering (see [`AccessToken`]'s `Debug`).
//! - A refusal is HTTP 401 with `WWW-Authenticate: Bearer` and one sentence saying how to fix
//!   it; it says nothing that helps a guesser (a wrong token and a missing one read alike,
//!   apart from a token sent in the URL, which is refused even when right).
//! - Refusing costs no more than a header read: no lock-out, no delay, nothing logged per
//!   request, so a burst of wrong tokens neither slows the editor nor locks out the user.

use std::fmt;
use std::sync::{Arc, RwLock};

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

/// Bytes of randomness in a generated token (256 bits), written as 64 hex digits.
const TOKEN_BYTES: usize = 32;

/// The shortest and longest token accepted from the user (`GODOT_AI_MCP_TOKEN`).
const MIN_TOKEN_CHARS: usize = 16;
const MAX_TOKEN_CHARS: usize = 512;

/// A secret that lets its holder drive the editor.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// A new random token from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        let mut text = String::with_capacity(TOKEN_BYTES * 2);
        for byte in bytes {
            text.push_str(&format!("{byte:02x}"));
        }
        Ok(Self(text))
    }

    /// A token given by the user or read back from the token file: 16 to 512 visible ASCII
    /// characters (what an HTTP header can carry unchanged), surrounding whitespace ignored.
    pub fn parse(text: &str) -> Result<Self, InvalidToken> {
        let text = text.trim();
        if text.len() < MIN_TOKEN_CHARS {
            return Err(InvalidToken::TooShort);
        }
        if text.len() > MAX_TOKEN_CHARS {
            return Err(InvalidToken::TooLong);
        }
        if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(InvalidToken::NotVisibleAscii);
        }
        Ok(Self(text.to_owned()))
    }

    /// The secret itself, for the token file, a client's configuration, or the dock's Copy.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when `candidate` is this token, in time independent of where they differ.
    fn matches(&self, candidate: &[u8]) -> bool {
        self.0.as_bytes().ct_eq(candidate).into()
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("AccessToken(<redacted>)")
    }
}

/// Why a token given by the user was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidToken {
    #[error("the token is shorter than {MIN_TOKEN_CHARS} characters")]
    TooShort,
    #[error("the token is longer than {MAX_TOKEN_CHARS} characters")]
    TooLong,
    #[error("the token may hold only visible ASCII characters (no spaces)")]
    NotVisibleAscii,
}

/// The endpoint's access rule, shared with the plugin so it can rotate the token or lift the
/// requirement while the endpoint serves. Cloning shares the rule.
#[derive(Clone, Default)]
pub struct Access(Arc<RwLock<Option<AccessToken>>>);

impl Access {
    /// Every request must carry `token`.
    pub fn requiring(token: AccessToken) -> Self {
        Self(Arc::new(RwLock::new(Some(token))))
    }

    /// Anyone who reaches the endpoint may use it (the user turned the requirement off).
    pub fn open() -> Self {
        Self::default()
    }

    /// Replaces the token (or lifts the requirement with `None`) for every later request.
    pub fn set(&self, token: Option<AccessToken>) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = token;
    }

    /// Whether a token is required.
    pub fn is_required(&self) -> bool {
        self.read(|token| token.is_some())
    }

    /// The token required now, if any (for the clients being set up, or the dock's Copy).
    pub fn token(&self) -> Option<AccessToken> {
        self.read(|token| token.cloned())
    }

    fn read<R>(&self, look: impl FnOnce(Option<&AccessToken>) -> R) -> R {
        look(
            self.0
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .as_ref(),
        )
    }

    /// Applies the rule to a request.
    pub fn check(&self, headers: &HeaderMap, query: Option<&str>) -> Result<(), Refusal> {
        self.read(|token| {
            let Some(token) = token else {
                return Ok(());
            };
            if query.is_some_and(names_a_token) {
                return Err(Refusal::TokenInUrl);
            }
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| bearer_credentials(value.as_bytes()));
            match presented {
                Some(presented) if token.matches(presented) => Ok(()),
                Some(_) => Err(Refusal::WrongToken),
                None => Err(Refusal::NoToken),
            }
        })
    }
}

impl fmt::Debug for Access {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Access")
            .field("required", &self.is_required())
            .finish()
    }
}

/// The credentials of an `Authorization: Bearer <credentials>` header (scheme in any case).
fn bearer_credentials(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(7)?;
    if !scheme.eq_ignore_ascii_case(b"bearer ") {
        return None;
    }
    let credentials = rest.trim_ascii();
    (!credentials.is_empty()).then_some(credentials)
}

/// True when a query string carries something that looks like a credential.
fn names_a_token(query: &str) -> bool {
    query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(name, _)| name);
        ["token", "access_token", "auth", "authorization", "bearer"]
            .iter()
            .any(|credential| name.eq_ignore_ascii_case(credential))
    })
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoToken,
    WrongToken,
    TokenInUrl,
}

/// How a user gets a client that carries the token.
const HOW_TO_FIX: &str = "set the client up with the Configure button of the editor's Godot AI \
     dock (or client_manage op=configure), or send the header 'Authorization: Bearer <token>' \
     with the token from the dock's Copy button";

impl Refusal {
    fn message(self) -> String {
        match self {
            Refusal::NoToken | Refusal::WrongToken => format!(
                "This Godot editor's MCP endpoint needs its access token, and the request did not \
                 carry it: {HOW_TO_FIX}."
            ),
            Refusal::TokenInUrl => format!(
                "The access token goes in the Authorization header, never in the URL (URLs end \
                 up in logs and histories): {HOW_TO_FIX}."
            ),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        crate::guard::refusal_response(
            StatusCode::UNAUTHORIZED,
            -32001,
            &self.message(),
            Some((header::WWW_AUTHENTICATE, "Bearer")),
        )
    }
}

/// Axum middleware applying `access` to every request.
pub async fn require_token(access: Access, request: Request, next: Next) -> Response {
    match access.check(request.headers(), request.uri().query()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn token() -> AccessToken {
        AccessToken::parse("0123456789abcdef0123456789abcdef").unwrap()
    }

    fn with_authorization(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn generated_tokens_are_256_bits_of_hex_and_differ() {
        let first = AccessToken::generate().unwrap();
        let second = AccessToken::generate().unwrap();
        assert_eq!(first.expose().len(), 64);
        assert!(first.expose().bytes().all(|byte| byte.is_ascii_hexdigit()));
        assert_ne!(first, second);
        assert_eq!(AccessToken::parse(first.expose()).unwrap(), first);
    }

    #[test]
    fn user_tokens_must_be_long_enough_and_header_safe() {
        assert_eq!(AccessToken::parse("short"), Err(InvalidToken::TooShort));
        assert_eq!(
            AccessToken::parse(&"x".repeat(513)),
            Err(InvalidToken::TooLong)
        );
        assert_eq!(
            AccessToken::parse("has a space inside it"),
            Err(InvalidToken::NotVisibleAscii)
        );
        assert_eq!(
            AccessToken::parse("  0123456789abcdef0123456789abcdef\n").unwrap(),
            token()
        );
    }

    #[test]
    fn the_token_never_shows_in_debug_output() {
        let access = Access::requiring(token());
        let rendered = format!("{:?} {access:?}", token());
        assert!(!rendered.contains("0123456789abcdef"), "{rendered}");
    }

    #[test]
    fn only_the_right_bearer_token_passes() {
        let access = Access::requiring(token());
        let right = with_authorization("Bearer 0123456789abcdef0123456789abcdef");
        assert_eq!(access.check(&right, None), Ok(()));
        let lower = with_authorization("bearer 0123456789abcdef0123456789abcdef");
        assert_eq!(access.check(&lower, None), Ok(()));
        for wrong in [
            "Bearer 0123456789abcdef0123456789abcdee",
            "Bearer 0123456789abcdef",
            "Bearer 0123456789abcdef0123456789abcdef0",
        ] {
            let headers = with_authorization(wrong);
            assert_eq!(access.check(&headers, None), Err(Refusal::WrongToken));
        }
        for malformed in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer    ",
            "0123456789abcdef",
        ] {
            let headers = with_authorization(malformed);
            assert_eq!(access.check(&headers, None), Err(Refusal::NoToken));
        }
        assert_eq!(access.check(&HeaderMap::new(), None), Err(Refusal::NoToken));
    }

    #[test]
    fn a_token_in_the_url_is_refused_even_when_right() {
        let access = Access::requiring(token());
        let right = with_authorization("Bearer 0123456789abcdef0123456789abcdef");
        assert_eq!(
            access.check(&right, Some("token=0123456789abcdef0123456789abcdef")),
            Err(Refusal::TokenInUrl)
        );
        assert_eq!(access.check(&right, Some("session=1")), Ok(()));
    }

    #[test]
    fn rotation_and_lifting_apply_to_the_next_request() {
        let access = Access::requiring(token());
        let shared = access.clone();
        let old = with_authorization("Bearer 0123456789abcdef0123456789abcdef");
        let new_token = AccessToken::parse("fedcba9876543210fedcba9876543210").unwrap();
        shared.set(Some(new_token));
        assert_eq!(access.check(&old, None), Err(Refusal::WrongToken));
        let new = with_authorization("Bearer fedcba9876543210fedcba9876543210");
        assert_eq!(access.check(&new, None), Ok(()));
        shared.set(None);
        assert!(!access.is_required());
        assert_eq!(access.check(&HeaderMap::new(), None), Ok(()));
        assert!(Access::open().check(&HeaderMap::new(), None).is_ok());
    }

    #[test]
    fn refusals_say_how_to_fix_them_and_never_echo_a_token() {
        for refusal in [Refusal::NoToken, Refusal::WrongToken, Refusal::TokenInUrl] {
            let message = refusal.message();
            assert!(message.contains("Configure"), "{message}");
            assert!(
                message.contains("Authorization: Bearer <token>"),
                "{message}"
            );
        }
        assert_eq!(Refusal::NoToken.message(), Refusal::WrongToken.message());
    }
}
