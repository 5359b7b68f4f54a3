//! Loopback-only request guard: protects the endpoint from DNS rebinding and from web pages.
//!
//! The endpoint binds 127.0.0.1, but a browser tab can still reach it: a page on a hostile
//! domain that resolves to 127.0.0.1 sends a foreign `Host`, and any `fetch`, beacon or form a
//! page sends carries an `Origin`. Both are refused with 403 and a JSON body that says why.
//!
//! Rules:
//! - `Host` must be present and name a loopback host: `localhost`, `127.x.x.x` or `[::1]`,
//!   with any port.
//! - A request with an `Origin` comes from a web page, and web pages get nothing: it is refused
//!   unless that exact origin is in the user's allow-list (empty by default; a page served on
//!   another loopback port is a web page too), or is the endpoint's own origin
//!   (`http://<the request's loopback Host>`), which no page can have because the endpoint
//!   serves none (the MCP conformance suite sends it). Requests without `Origin` (every
//!   non-browser MCP client) pass. CORS preflights are refused the same way, so they allow
//!   nothing.

use std::net::Ipv4Addr;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Axum middleware applying the module's rules, with the origins the user allowed.
pub async fn loopback_only(
    allowed_origins: std::sync::Arc<[String]>,
    request: Request,
    next: Next,
) -> Response {
    match check_headers(request.headers(), &allowed_origins) {
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
                "Origin '{origin}' is a web page, and web pages may not drive the editor (an \
                 origin the user trusts can be added to the Editor Setting \
                 godot_ai/allowed_origins)"
            ),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        refusal_response(StatusCode::FORBIDDEN, -32600, &self.message(), None)
    }
}

/// A request refused before it reached MCP: `status`, and a JSON-RPC error body with `code`
/// and `message` (plus `extra`, one more header). The request's body is left unread, so its
/// connection cannot carry another request: the answer says `Connection: close`, and a
/// keep-alive client opens a new connection instead of writing into one that is closing.
pub(crate) fn refusal_response(
    status: StatusCode,
    code: i64,
    message: &str,
    extra: Option<(header::HeaderName, &'static str)>,
) -> Response {
    let body = json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    });
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONNECTION, "close"),
        ],
        body.to_string(),
    )
        .into_response();
    if let Some((name, value)) = extra {
        response
            .headers_mut()
            .insert(name, header::HeaderValue::from_static(value));
    }
    response
}

/// Applies the rules to a request's headers; `allowed_origins` are the exact origins the user
/// lets in.
pub fn check_headers(headers: &HeaderMap, allowed_origins: &[String]) -> Result<(), Refusal> {
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
        let own = origin
            .strip_prefix("http://")
            .is_some_and(|authority| authority.eq_ignore_ascii_case(host));
        if !own && !allowed_origins.iter().any(|allowed| allowed == origin) {
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

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn requests_need_a_loopback_host_and_no_origin_but_an_allowed_one() {
        let none: &[String] = &[];
        assert_eq!(
            check_headers(&headers(&[]), none),
            Err(Refusal::MissingHost)
        );
        assert!(check_headers(&headers(&[("host", "127.0.0.1:9600")]), none).is_ok());
        assert_eq!(
            check_headers(
                &headers(&[("host", "127.0.0.1:9600"), ("origin", "null")]),
                none
            ),
            Err(Refusal::ForeignOrigin("null".into()))
        );
        assert_eq!(
            check_headers(&headers(&[("host", "attacker.example")]), none),
            Err(Refusal::ForeignHost("attacker.example".into()))
        );
        // A page on another loopback port is a web page too.
        let local_page = headers(&[
            ("host", "127.0.0.1:9600"),
            ("origin", "http://127.0.0.1:8000"),
        ]);
        assert_eq!(
            check_headers(&local_page, none),
            Err(Refusal::ForeignOrigin("http://127.0.0.1:8000".into()))
        );
        let allowed = ["http://127.0.0.1:8000".to_owned()];
        assert!(check_headers(&local_page, &allowed).is_ok());
        let other_port = headers(&[
            ("host", "127.0.0.1:9600"),
            ("origin", "http://127.0.0.1:8001"),
        ]);
        assert!(check_headers(&other_port, &allowed).is_err());
        // The endpoint's own origin: no page can have it.
        let own = headers(&[
            ("host", "localhost:9600"),
            ("origin", "http://localhost:9600"),
        ]);
        assert!(check_headers(&own, none).is_ok());
        let own_https = headers(&[
            ("host", "localhost:9600"),
            ("origin", "https://localhost:9600"),
        ]);
        assert!(check_headers(&own_https, none).is_err());
    }
}
