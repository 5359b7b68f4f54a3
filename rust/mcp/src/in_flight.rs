//! The requests whose answers are still on their way, so stopping can let them finish.
//!
//! When the plugin stops, every call waiting for the editor is answered at once with the
//! "editor stopped" error, but that answer still has to travel through rmcp's session worker
//! into the response stream. Cancelling rmcp first would end the stream with no answer at all
//! (the official client then says only "SSE stream ended without a response"). So the
//! endpoint stops in two steps: stop accepting, wait (bounded) until [`InFlight::drained`],
//! then end the sessions.
//!
//! Invariants:
//! - Only `POST`s are counted: they carry requests that expect an answer. A `GET` stream is
//!   open-ended and ends with the sessions.
//! - A request counts from when it reaches the app until its response body has ended or been
//!   dropped (an SSE answer arrives in the body, after the head).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::Method;
use http_body::{Body as HttpBody, Frame, SizeHint};
use tokio::sync::Notify;

/// The count of requests in flight. Cheap to clone; clones share the count.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Shared>);

#[derive(Debug, Default)]
struct Shared {
    count: AtomicUsize,
    idle: Notify,
}

impl InFlight {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many requests are in flight now.
    pub fn count(&self) -> usize {
        self.0.count.load(Ordering::SeqCst)
    }

    /// Resolves once no request is in flight (at once if none is).
    pub async fn drained(&self) {
        loop {
            let idle = self.0.idle.notified();
            if self.count() == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Middleware: counts `POST`s until their response bodies end.
    pub async fn track(self, request: Request, next: Next) -> Response {
        if request.method() != Method::POST {
            return next.run(request).await;
        }
        let guard = Guard::new(self);
        let response = next.run(request).await;
        response.map(|body| {
            Body::new(Tracked {
                body,
                _guard: guard,
            })
        })
    }
}

/// One request in flight; dropping it ends the count for that request.
#[derive(Debug)]
struct Guard(InFlight);

impl Guard {
    fn new(in_flight: InFlight) -> Self {
        in_flight.0.count.fetch_add(1, Ordering::SeqCst);
        Self(in_flight)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.0.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.0.idle.notify_waiters();
        }
    }
}

/// A response body that holds its request's [`Guard`] until it is dropped.
struct Tracked {
    body: Body,
    _guard: Guard,
}

impl HttpBody for Tracked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::Router;
    use axum::routing::post;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    fn app(in_flight: InFlight) -> Router {
        Router::new()
            .route("/", post(|| async { "answer" }).get(|| async { "stream" }))
            .layer(axum::middleware::from_fn(move |request, next| {
                in_flight.clone().track(request, next)
            }))
    }

    fn request(method: Method) -> Request {
        Request::builder()
            .method(method)
            .uri("/")
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn a_post_counts_until_its_body_has_been_read_to_the_end() {
        let in_flight = InFlight::new();
        let response = app(in_flight.clone())
            .oneshot(request(Method::POST))
            .await
            .unwrap();
        assert_eq!(in_flight.count(), 1, "the answer is still in the body");
        let drained = tokio::spawn({
            let in_flight = in_flight.clone();
            async move { in_flight.drained().await }
        });
        tokio::task::yield_now().await;
        assert!(!drained.is_finished());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"answer");
        tokio::time::timeout(Duration::from_secs(1), drained)
            .await
            .expect("drained once the body is gone")
            .unwrap();
        assert_eq!(in_flight.count(), 0);
    }

    #[tokio::test]
    async fn a_get_is_not_counted_and_drained_is_immediate_when_idle() {
        let in_flight = InFlight::new();
        let response = app(in_flight.clone())
            .oneshot(request(Method::GET))
            .await
            .unwrap();
        assert_eq!(in_flight.count(), 0);
        tokio::time::timeout(Duration::from_secs(1), in_flight.drained())
            .await
            .unwrap();
        drop(response);
    }
}
