//! Connection timeouts: a slow or idle client cannot hold a connection (and a file descriptor)
//! for ever.
//!
//! Three limits, each a phase of a connection's life, like Go's `http.Server`:
//!
//! - **header read** ([`Timeouts::header_read`]): from the accept (TLS handshake included), or
//!   from the first byte of a later request, until the request head is complete;
//! - **body** ([`Timeouts::body`]): from the complete head until the whole body has arrived;
//! - **idle** ([`Timeouts::idle`]): from the end of an answer until the next request begins.
//!
//! While the mock itself works on a request (a handler, a delay fault) no limit runs: a slow
//! answer is never cut. A connection past its limit is closed without an answer.
//!
//! The listener's [`TimedAcceptor`] wraps each accepted socket in [`TimedIo`] and the
//! connection's service in [`Tracked`]; both share the connection's [`Activity`]. `Tracked` sees
//! a request arrive, its body end and its answer end; `TimedIo` reads the phase and arms one
//! timer for it whenever the connection waits for bytes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::http::{Request, Response};
use axum_server::accept::{Accept, DefaultAcceptor};
use http_body::{Body, Frame, SizeHint};
use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// The limits of one connection's phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Until a request head is complete (default 10 s).
    pub header_read: Duration,
    /// Until a request body is complete, counted from its head (default 30 s).
    pub body: Duration,
    /// Between the end of an answer and the next request (default 60 s).
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request head.
    Head,
    /// Waiting for request bodies.
    Body,
    /// The mock is answering: no limit.
    Busy,
    /// Between requests.
    Idle,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// When the phase began.
    since: Instant,
    /// Requests whose answer has not ended.
    in_flight: usize,
    /// Requests whose body has not ended.
    bodies: usize,
    /// The task waiting to read, woken when the phase's limit changes.
    reader: Option<Waker>,
}

/// What one connection is doing, shared by its [`TimedIo`] and [`Tracked`] service.
#[derive(Debug)]
pub struct Activity {
    timeouts: Timeouts,
    state: Mutex<State>,
}

impl Activity {
    fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            state: Mutex::new(State {
                phase: Phase::Head,
                since: Instant::now(),
                in_flight: 0,
                bodies: 0,
                reader: None,
            }),
        }
    }

    /// When the current phase must end, if it has a limit.
    fn deadline(state: &State, timeouts: &Timeouts) -> Option<Instant> {
        let limit = match state.phase {
            Phase::Head => timeouts.header_read,
            Phase::Body => timeouts.body,
            Phase::Idle => timeouts.idle,
            Phase::Busy => return None,
        };
        Some(state.since + limit)
    }

    fn enter(state: &mut State, phase: Phase) {
        if state.phase != phase {
            state.phase = phase;
            state.since = Instant::now();
        }
    }

    /// Bytes arrived: a request begins if the connection was idle.
    fn bytes_read(&self) {
        let mut state = self.state.lock();
        if state.phase == Phase::Idle {
            Self::enter(&mut state, Phase::Head);
        }
    }

    /// A request head is complete; `body_pending` when its body is still to come.
    fn request_started(&self, body_pending: bool) {
        let mut state = self.state.lock();
        state.in_flight += 1;
        if body_pending {
            state.bodies += 1;
            Self::enter(&mut state, Phase::Body);
        } else if state.bodies == 0 {
            Self::enter(&mut state, Phase::Busy);
        }
    }

    fn body_ended(&self) {
        let mut state = self.state.lock();
        state.bodies = state.bodies.saturating_sub(1);
        if state.bodies == 0 && state.phase == Phase::Body {
            Self::enter(&mut state, Phase::Busy);
        }
    }

    fn answer_ended(&self) {
        let mut state = self.state.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if state.in_flight == 0 {
            Self::enter(&mut state, Phase::Idle);
            // The reader may be parked without a timer (it last looked while the mock was busy).
            if let Some(reader) = state.reader.take() {
                reader.wake();
            }
        }
    }
}

/// Creates each connection's [`Activity`], [`TimedIo`] and [`Tracked`] service once its inner
/// acceptor is done (an `axum_server` acceptor; under TLS it runs before the handshake, so the
/// handshake is timed too).
#[derive(Debug, Clone, Copy)]
pub struct TimedAcceptor<A = DefaultAcceptor> {
    timeouts: Timeouts,
    inner: A,
}

impl TimedAcceptor {
    /// An acceptor applying `timeouts`.
    pub fn new(timeouts: Timeouts) -> Self {
        Self {
            timeouts,
            inner: DefaultAcceptor,
        }
    }
}

impl<A> TimedAcceptor<A> {
    /// Runs `inner` on each accepted socket first (it gets the socket itself, not a timed one).
    pub fn acceptor<B>(self, inner: B) -> TimedAcceptor<B> {
        TimedAcceptor {
            timeouts: self.timeouts,
            inner,
        }
    }
}

impl<A, I, S> Accept<I, S> for TimedAcceptor<A>
where
    A: Accept<I, S>,
    A::Future: Send + 'static,
    A::Stream: Send + 'static,
    A::Service: Send + 'static,
{
    type Stream = TimedIo<A::Stream>;
    type Service = Tracked<A::Service>;
    type Future = Pin<Box<dyn Future<Output = io::Result<(Self::Stream, Self::Service)>> + Send>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        let inner = self.inner.accept(stream, service);
        let timeouts = self.timeouts;
        Box::pin(async move {
            let (stream, service) = inner.await?;
            let activity = Arc::new(Activity::new(timeouts));
            Ok((
                TimedIo {
                    inner: stream,
                    activity: activity.clone(),
                    timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
                    expired: false,
                },
                Tracked {
                    inner: service,
                    activity,
                },
            ))
        })
    }
}

/// A socket that fails reads and writes once its connection's phase is over its limit.
#[derive(Debug)]
pub struct TimedIo<I> {
    inner: I,
    activity: Arc<Activity>,
    timer: Pin<Box<Sleep>>,
    expired: bool,
}

fn timed_out() -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        "the client was too slow or idle too long",
    )
}

impl<I: AsyncRead + Unpin> AsyncRead for TimedIo<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.activity.bytes_read();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let deadline = {
                    let mut state = this.activity.state.lock();
                    if !state.reader.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        state.reader = Some(cx.waker().clone());
                    }
                    Activity::deadline(&state, &this.activity.timeouts)
                };
                let Some(deadline) = deadline else {
                    return Poll::Pending;
                };
                if this.timer.deadline() != deadline {
                    this.timer.as_mut().reset(deadline);
                }
                if this.timer.as_mut().poll(cx).is_ready() {
                    this.expired = true;
                    return Poll::Ready(Err(timed_out()));
                }
                Poll::Pending
            }
        }
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for TimedIo<I> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.expired {
            return Poll::Ready(Err(timed_out()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A connection's service, telling its [`Activity`] when requests arrive, their bodies end and
/// their answers end.
#[derive(Debug, Clone)]
pub struct Tracked<S> {
    inner: S,
    activity: Arc<Activity>,
}

/// Tells the activity that a body ended, once: at its last frame or when it is dropped.
#[derive(Debug)]
struct EndGuard {
    activity: Option<Arc<Activity>>,
    answer: bool,
}

impl EndGuard {
    fn end(&mut self) {
        if let Some(activity) = self.activity.take() {
            if self.answer {
                activity.answer_ended();
            } else {
                activity.body_ended();
            }
        }
    }
}

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.end();
    }
}

/// A request or answer body whose end is reported to the connection's [`Activity`].
#[derive(Debug)]
pub struct TrackedBody<B> {
    inner: B,
    guard: EndGuard,
}

impl<B: Body + Unpin> Body for TrackedBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => self.guard.end(),
            Poll::Ready(Some(Ok(_))) if self.inner.is_end_stream() => self.guard.end(),
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<S, B, RB> tower::Service<Request<B>> for Tracked<S>
where
    S: tower::Service<Request<TrackedBody<B>>, Response = Response<RB>>,
    S::Future: Send + 'static,
    B: Body + Unpin,
    RB: Body + Unpin,
{
    type Response = Response<TrackedBody<RB>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let body_pending = !request.body().is_end_stream();
        self.activity.request_started(body_pending);
        let request = request.map(|inner| TrackedBody {
            inner,
            guard: EndGuard {
                activity: body_pending.then(|| self.activity.clone()),
                answer: false,
            },
        });
        // Ends the answer if the call fails or is dropped before it answers.
        let mut answer = EndGuard {
            activity: Some(self.activity.clone()),
            answer: true,
        };
        let call = self.inner.call(request);
        Box::pin(async move {
            let response = call.await?;
            let activity = answer.activity.take();
            Ok(response.map(|inner| TrackedBody {
                inner,
                guard: EndGuard {
                    activity,
                    answer: true,
                },
            }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity() -> Activity {
        Activity::new(Timeouts {
            header_read: Duration::from_secs(1),
            body: Duration::from_secs(2),
            idle: Duration::from_secs(3),
        })
    }

    fn phase(a: &Activity) -> (Phase, Option<Duration>) {
        let state = a.state.lock();
        let left = Activity::deadline(&state, &a.timeouts).map(|d| d - state.since);
        (state.phase, left)
    }

    #[test]
    fn phases_follow_the_requests() {
        let a = activity();
        assert_eq!(phase(&a), (Phase::Head, Some(Duration::from_secs(1))));
        a.request_started(true);
        assert_eq!(phase(&a), (Phase::Body, Some(Duration::from_secs(2))));
        a.body_ended();
        assert_eq!(phase(&a), (Phase::Busy, None));
        a.answer_ended();
        assert_eq!(phase(&a), (Phase::Idle, Some(Duration::from_secs(3))));
        a.bytes_read();
        assert_eq!(phase(&a), (Phase::Head, Some(Duration::from_secs(1))));
        a.request_started(false);
        assert_eq!(phase(&a), (Phase::Busy, None));
        // Bytes of a pipelined request while busy change nothing.
        a.bytes_read();
        assert_eq!(phase(&a), (Phase::Busy, None));
        a.answer_ended();
        assert_eq!(phase(&a).0, Phase::Idle);
    }

    #[test]
    fn concurrent_requests_stay_busy_until_the_last_answer() {
        let a = activity();
        a.request_started(false);
        a.request_started(false);
        a.answer_ended();
        assert_eq!(phase(&a).0, Phase::Busy);
        a.answer_ended();
        assert_eq!(phase(&a).0, Phase::Idle);
    }
}
