//! The editor's endpoint as a client is pointed at it: its URL and the access token the
//! client must send.

use std::fmt;

/// Where a client connects, and with which token (none when the user turned the requirement
/// off). `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Endpoint {
    url: String,
    token: Option<String>,
}

impl Endpoint {
    pub fn new(url: impl Into<String>, token: Option<String>) -> Self {
        Self {
            url: url.into(),
            token,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The `Authorization` header's value a client sends: `Bearer <token>`.
    pub fn authorization(&self) -> Option<String> {
        self.token.as_ref().map(|token| bearer(token))
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Endpoint")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// `Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The token of an `Authorization` value (`Bearer <token>`, scheme in any case).
pub fn token_of_authorization(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// `text` with every occurrence of `token` replaced by `<token>`: for anything shown to a
/// person or an agent (a command line in an error message, say).
pub fn redacted(text: &str, token: Option<&str>) -> String {
    match token {
        Some(token) if !token.is_empty() => text.replace(token, "<token>"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_never_in_debug_output_and_can_be_redacted() {
        let endpoint = Endpoint::new("http://127.0.0.1:9600/mcp", Some("s3cret-token".into()));
        assert!(!format!("{endpoint:?}").contains("s3cret"));
        assert_eq!(
            endpoint.authorization().as_deref(),
            Some("Bearer s3cret-token")
        );
        assert_eq!(
            redacted(
                "--header Authorization: Bearer s3cret-token",
                endpoint.token()
            ),
            "--header Authorization: Bearer <token>"
        );
        assert_eq!(redacted("plain", None), "plain");
    }

    #[test]
    fn bearer_values_are_read_back_in_any_case() {
        assert_eq!(token_of_authorization("Bearer abc"), Some("abc"));
        assert_eq!(token_of_authorization("bearer  abc "), Some("abc"));
        assert_eq!(token_of_authorization("Basic abc"), None);
        assert_eq!(token_of_authorization("Bearer"), None);
    }
}
