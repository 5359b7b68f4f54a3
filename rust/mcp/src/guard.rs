//! Loopback-only request guard: protects the endpoint from DNS rebinding and from web pages.
//!
//! The endpoint binds 127.0.0.1, but a browser tab can still reach it: a page on a hostile
//! domain that resolves to 127.0.0.1 sends a foreign `Host`, and any cross-site `fetch` sends a
//! foreign `Origin`. Both are refused with 403 and a JSON body that says why.
//!
//! Rules:
//! - `Host` must be present and name a loopback host: `localhost`, `127.x.x.x` or `[::1]`,
//!   with any port.
//! - `Origin`, when present, must be `http://` or `https://` on such a host. The opaque origin
//!   `null` is refused. Requests without `Origin` (every non-browser MCP client) pass.

use std::net::Ipv4Addr;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Axum middleware applying the module's rules.
pub async fn loopback_only(request: Request, next: Next) -> Response {
    match check_headers(request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    MissingHost,
    ForeignHost(String),
    ForeignOrigin(String),
}

impl Refusal {
    fn message(&self) -> String {
        match self {
            Refusal::MissingHost => "Request has no Host header".to_owned(),
            Refusal::ForeignHost(host) => format!(
                "Host '{host}' is not a loopback name; this endpoint only answers \
                 http://127.0.0.1 or http://localhost"
            ),
            Refusal::ForeignOrigin(origin) => format!(
                "Origin '{origin}' is not a loopback origin; web pages may not drive the editor"
            ),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": {"code": -32600, "message": self.message()},
        });
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// Applies the rules to a request's headers.
pub fn check_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .ok_or(Refusal::MissingHost)?
        .to_str()
        .map_err(|_| Refusal::ForeignHost("<not UTF-8>".to_owned()))?;
    if !is_loopback_authority(host) {
        return Err(Refusal::ForeignHost(host.to_owned()));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin
            .to_str()
            .map_err(|_| Refusal::ForeignOrigin("<not UTF-8>".to_owned()))?;
        if !is_loopback_origin(origin) {
            return Err(Refusal::ForeignOrigin(origin.to_owned()));
        }
    }
    Ok(())
}

/// True for `host` or `host:port` where host is a loopback name.
pub fn is_loopback_authority(authority: &str) -> bool {
    let host = if let Some(rest) = authority.strip_prefix('[') {
        // Bracketed IPv6: "[::1]" or "[::1]:port".
        match rest.split_once(']') {
            Some((inner, tail)) if tail.is_empty() || is_port_suffix(tail) => inner,
            _ => return false,
        }
    } else {
        match authority.split_once(':') {
            Some((name, tail)) if is_port_suffix(&format!(":{tail}")) => name,
            Some(_) => return false,
            None => authority,
        }
    };
    is_loopback_host(host)
}

fn is_port_suffix(tail: &str) -> bool {
    tail.strip_prefix(':')
        .is_some_and(|port| !port.is_empty() && port.parse::<u16>().is_ok())
}

fn is_loopback_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "::1" {
        return true;
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

/// True for `http(s)://<loopback authority>` with nothing after the authority.
pub fn is_loopback_origin(origin: &str) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"));
    authority.is_some_and(|authority| !authority.contains('/') && is_loopback_authority(authority))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn loopback_authorities_pass_with_or_without_port() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:9600",
            "localhost",
            "LOCALHOST:1",
            "[::1]",
            "[::1]:9600",
            "127.1.2.3:80",
        ] {
            assert!(is_loopback_authority(ok), "{ok} should pass");
        }
    }

    #[test]
    fn foreign_or_malformed_authorities_fail() {
        for bad in [
            "evil.com",
            "evil.com:9600",
            "localhost.evil.com",
            "127.0.0.1.nip.io",
            "0.0.0.0",
            "192.168.1.2:9600",
            "[::2]:1",
            "[::1]x",
            "localhost:",
            "localhost:99999",
            "",
        ] {
            assert!(!is_loopback_authority(bad), "{bad} should fail");
        }
    }

    #[test]
    fn only_http_loopback_origins_pass() {
        assert!(is_loopback_origin("http://localhost:6274"));
        assert!(is_loopback_origin("https://127.0.0.1"));
        assert!(!is_loopback_origin("null"));
        assert!(!is_loopback_origin("http://evil.com"));
        assert!(!is_loopback_origin("file://localhost"));
        assert!(!is_loopback_origin("http://localhost/path"));
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn requests_need_a_loopback_host_and_no_foreign_origin() {
        assert_eq!(check_headers(&headers(&[])), Err(Refusal::MissingHost));
        assert!(check_headers(&headers(&[("host", "127.0.0.1:9600")])).is_ok());
        assert_eq!(
            check_headers(&headers(&[("host", "127.0.0.1:9600"), ("origin", "null")])),
            Err(Refusal::ForeignOrigin("null".into()))
        );
        assert_eq!(
            check_headers(&headers(&[("host", "attacker.example")])),
            Err(Refusal::ForeignHost("attacker.example".into()))
        );
    }
}
