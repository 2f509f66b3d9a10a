//! The send loop as a sans-IO state machine: httpx's `_send_handling_auth` and
//! `_send_handling_redirects` in one place, driven by both clients.
//!
//! [`SendFlow::step`] takes what the driver did last ([`Input`]) and the current time,
//! and says what to do next ([`Step`]): read a body, run hooks, start or continue the
//! auth flow, send through a transport, or finish. The flow itself does no I/O, reads
//! no clock and never waits: the sync [`Client`](crate::Client) and the async
//! [`AsyncClient`](crate::AsyncClient) perform each step their own way, in a loop of a
//! few lines, and the tests in `src/flow/tests/` drive it with canned responses.
//!
//! The states, each named by what it waits for (`*` marks optional steps: request
//! body and auth only with an auth that needs them, hooks only with hooks):
//!
//! ```text
//!  Start --*--> AwaitRequestBody --> AwaitAuthFirst --+
//!    |                                                |  (auth flow started)
//!    +------------------------------------------------+
//!    v
//!  begin_send: hop limit, deadline
//!    |--*--> AwaitRequestHooks --+
//!    v                           v
//!  AwaitSent <-------------------+   Step::Send
//!    |  (cookies from the response, log line)
//!    |--*--> AwaitResponseHooks --+
//!    v                            v
//!  redirect?  yes, following --> AwaitRedirectRead --> begin_send (next hop)
//!    |        yes, not following: the response names its next request
//!    v  no
//!  end of the redirect loop: an auth flow running?
//!    |  yes --*--> AwaitAuthResponseBody --> AwaitAuthNext
//!    |               another request: AwaitAuthRead --> begin_send (history grows)
//!    |               none: finish
//!    v  no
//!  finish: stream? Done : AwaitFinalRead --> Done
//! ```

pub(crate) mod redirects;

use std::sync::{Arc, Mutex};

use crate::auth::Auth;
use crate::config::{Credentials, DefaultEncoding, Timeout};
use crate::cookies::Cookies;
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::{History, Response};
use crate::rt::Instant;
use crate::transport::Capabilities;

/// The most decoded bytes of a followed redirect's body the client reads:
/// [`crate::config::MAX_REDIRECT_BODY_BYTES`].
pub(crate) const REDIRECT_BODY_LIMIT: usize = crate::config::MAX_REDIRECT_BODY_BYTES;

/// What the driver must do next. `'a` is the auth's lifetime; `F` is the driver's auth
/// flow type (a blocking or an async flow): the flow hands it out with
/// [`Step::AuthNext`] and takes it back with [`Input::AuthNext`], so a driver holds no
/// auth state of its own.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Step<'a, F> {
    /// Read the request body into memory (the auth flow needs it), then
    /// `Input::Request`.
    ReadRequestBody(Request),
    /// Start this auth's flow with the request, then `Input::AuthStarted` with the
    /// flow's first request and the flow.
    StartAuth(Request, &'a dyn Auth),
    /// Run the request event hooks, then `Input::Request`.
    RequestHooks(Request),
    /// Send through the transport routed for the request URL, then `Input::Sent`.
    Send(Request),
    /// Run the response event hooks, then `Input::Response`.
    ResponseHooks(Response),
    /// Read the response body, then `Input::Response`.
    ReadResponse(Response),
    /// Read a followed redirect's body up to [`REDIRECT_BODY_LIMIT`] decoded bytes
    /// (past it, close the response unread), then `Input::Response`.
    DrainRedirect(Response),
    /// Give the response to the auth flow, then `Input::AuthNext` with its answer and
    /// the flow.
    AuthNext(Response, F),
    /// The final response.
    Done(Response),
}

/// What the driver did.
// Each value lives for one step and is moved, never copied in bulk: boxing would
// only add allocations.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Input<F> {
    /// Nothing yet: the first call.
    Start,
    /// The request after reading its body or running hooks.
    Request(Request),
    /// The auth flow's first request, and the flow.
    AuthStarted(Request, F),
    /// The transport's response and what that transport does by itself.
    Sent(Response, Capabilities),
    /// The response after hooks or reading.
    Response(Response),
    /// The response given to the auth flow, the flow's next request, and the flow.
    AuthNext(Response, Option<Request>, F),
}

enum State<'a, F> {
    Start(Request),
    AwaitRequestBody(&'a dyn Auth),
    AwaitAuthFirst,
    AwaitRequestHooks,
    /// The request as sent (a stream body left as a consumed marker) and when.
    AwaitSent {
        sent: Request,
        started: Instant,
    },
    AwaitResponseHooks,
    /// A followed redirect's body is being read; then `next` is sent.
    AwaitRedirectRead {
        next: Request,
    },
    /// The final response of a redirect loop is being read for the auth flow.
    AwaitAuthResponseBody(F),
    AwaitAuthNext,
    /// The auth flow's intermediate response is being read; then `next` is sent.
    AwaitAuthRead {
        next: Request,
    },
    AwaitFinalRead,
    Finished,
}

/// Client settings the flow reads.
pub(crate) struct FlowSettings<'a> {
    /// The auth flow to run, if any (else its steps are skipped).
    pub(crate) auth: Option<&'a dyn Auth>,
    /// Whether the client has request / response event hooks (else their steps are
    /// skipped: the request and the response are not handed out and back).
    pub(crate) has_request_hooks: bool,
    pub(crate) has_response_hooks: bool,
    pub(crate) follow_redirects: bool,
    pub(crate) max_redirects: usize,
    /// The most bytes a response body may decode to (`None`: no limit).
    pub(crate) max_body_size: Option<u64>,
    pub(crate) timeout: Timeout,
    pub(crate) stream: bool,
    pub(crate) default_encoding: DefaultEncoding,
    /// The client's fetch `credentials`, for requests that set none.
    pub(crate) credentials: Option<Credentials>,
    pub(crate) cookies: Option<Arc<Mutex<Cookies>>>,
}

/// One `send`: from the first request to the final response.
pub(crate) struct SendFlow<'a, F> {
    settings: FlowSettings<'a>,
    state: State<'a, F>,
    /// The running auth flow, between the request it answered and the end of that
    /// request's redirect loop.
    auth_flow: Option<F>,
    /// httpx's auth-level history: the responses the auth flow answered.
    auth_history: History,
    /// The auth history, then the redirect hops of the current auth round (httpx
    /// rebinds this list per hop): the history the next response carries. Both are
    /// shared lists, so a hop costs one node, not a copy of the history.
    history: History,
    /// Set by the first step, from the time it is given.
    deadline: Option<Instant>,
}

impl<'a, F> SendFlow<'a, F> {
    pub(crate) fn new(request: Request, settings: FlowSettings<'a>) -> SendFlow<'a, F> {
        SendFlow {
            settings,
            state: State::Start(request),
            auth_flow: None,
            auth_history: History::default(),
            history: History::default(),
            deadline: None,
        }
    }

    /// Advances the flow with what the driver did last; `now` is the current time
    /// (the flow reads no clock: the total deadline counts from the first step's `now`).
    pub(crate) fn step(&mut self, input: Input<F>, now: Instant) -> Result<Step<'a, F>> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        match (state, input) {
            (State::Start(request), Input::Start) => {
                self.deadline = self.settings.timeout.total.map(|total| now + total);
                match self.settings.auth {
                    None => self.begin_send(request, now),
                    Some(auth) if auth.requires_request_body() => {
                        self.state = State::AwaitRequestBody(auth);
                        Ok(Step::ReadRequestBody(request))
                    }
                    Some(auth) => {
                        self.state = State::AwaitAuthFirst;
                        Ok(Step::StartAuth(request, auth))
                    }
                }
            }
            (State::AwaitRequestBody(auth), Input::Request(request)) => {
                self.state = State::AwaitAuthFirst;
                Ok(Step::StartAuth(request, auth))
            }
            (State::AwaitAuthFirst, Input::AuthStarted(request, auth_flow)) => {
                self.auth_flow = Some(auth_flow);
                self.begin_send(request, now)
            }
            (State::AwaitRequestHooks, Input::Request(request)) => self.send(request, now),
            (State::AwaitSent { sent, started }, Input::Sent(response, capabilities)) => {
                self.received(sent, started, response, &capabilities)
            }
            (State::AwaitResponseHooks, Input::Response(response)) => {
                self.after_response_hooks(response)
            }
            (State::AwaitRedirectRead { next }, Input::Response(response)) => {
                // The response carries `self.history` (set above): it extends it.
                self.history = History::ending_with(response);
                self.begin_send(next, now)
            }
            (State::AwaitAuthResponseBody(auth_flow), Input::Response(response)) => {
                self.state = State::AwaitAuthNext;
                Ok(Step::AuthNext(response, auth_flow))
            }
            (State::AwaitAuthNext, Input::AuthNext(response, None, _)) => self.finish(response),
            (State::AwaitAuthNext, Input::AuthNext(mut response, Some(next), auth_flow)) => {
                self.auth_flow = Some(auth_flow);
                response.set_history(self.auth_history.clone());
                self.state = State::AwaitAuthRead { next };
                Ok(Step::ReadResponse(response))
            }
            (State::AwaitAuthRead { next }, Input::Response(response)) => {
                // The response carries `self.auth_history` (set above): it extends it.
                self.auth_history = History::ending_with(response);
                self.history = self.auth_history.clone();
                self.begin_send(next, now)
            }
            (State::AwaitFinalRead, Input::Response(response)) => {
                self.state = State::Finished;
                Ok(Step::Done(response))
            }
            (_, _) => Err(Error::invalid_state(
                "the send loop was driven out of order (a bug in the client driver)",
            )),
        }
    }

    /// The transport's response to `sent`: cookies, default encoding, the log line.
    fn received(
        &mut self,
        sent: Request,
        started: Instant,
        mut response: Response,
        capabilities: &Capabilities,
    ) -> Result<Step<'a, F>> {
        response.start_timer(started);
        // `cfg!`: without the feature the jar's code is left out of the build.
        if cfg!(feature = "cookies") && !capabilities.manages_cookies {
            if let Some(jar) = &self.settings.cookies {
                if let Ok(mut jar) = jar.lock() {
                    jar.extract_from_response(sent.url(), response.headers());
                }
            }
        }
        response.set_default_encoding(self.settings.default_encoding.clone());
        if let Err(e) = response.set_max_body_size(self.settings.max_body_size) {
            return Err(e.with_request(sent.method(), sent.url()));
        }
        log::info!(
            "HTTP Request: {} {} \"{} {} {}\"",
            sent.method(),
            sent.url().without_userinfo(),
            response.http_version(),
            response.status_code(),
            response.reason_phrase()
        );
        response.set_request(sent);
        if !self.settings.has_response_hooks {
            return self.after_response_hooks(response);
        }
        self.state = State::AwaitResponseHooks;
        Ok(Step::ResponseHooks(response))
    }

    /// The response after its hooks: follow a redirect, or end the redirect loop.
    fn after_response_hooks(&mut self, mut response: Response) -> Result<Step<'a, F>> {
        response.set_history(self.history.clone());
        if !response.has_redirect_location() {
            return self.end_redirects(response);
        }
        let request = response.request().ok_or_else(|| {
            Error::invalid_state("a response reached the send loop without its request")
        })?;
        let mut next = match redirects::build_redirect_request(request, &response) {
            Ok(next) => next,
            // Not following: a Location this client never follows (another
            // scheme, such as an app's "myapp://" callback) leaves the response
            // as it is, for the caller to read; httpx returns it too.
            Err(e)
                if !self.settings.follow_redirects
                    && e.kind() == ErrorKind::UnsupportedProtocol =>
            {
                return self.end_redirects(response);
            }
            Err(e) => return Err(e.with_request(request.method(), request.url())),
        };
        self.add_cookie_header(&mut next);
        if self.settings.follow_redirects {
            self.state = State::AwaitRedirectRead { next };
            Ok(Step::DrainRedirect(response))
        } else {
            response.set_next_request(next);
            self.end_redirects(response)
        }
    }

    /// The request after its hooks: send it.
    fn send(&mut self, mut request: Request, now: Instant) -> Result<Step<'a, F>> {
        self.apply_options(&mut request);
        let sent = request.split_for_send()?;
        self.state = State::AwaitSent {
            sent: request,
            started: now,
        };
        Ok(Step::Send(sent))
    }

    fn begin_send(&mut self, mut request: Request, now: Instant) -> Result<Step<'a, F>> {
        // The auth steps and this round's redirects.
        let hops = self.history.len();
        if hops > self.settings.max_redirects {
            return Err(Error::new(
                ErrorKind::TooManyRedirects,
                format!(
                    "Exceeded maximum allowed redirects ({}).",
                    self.settings.max_redirects
                ),
            )
            .with_request(request.method(), request.url()));
        }
        if let Some(deadline) = self.deadline {
            if now >= deadline {
                let total = self.settings.timeout.total.unwrap_or_default();
                return Err(
                    Error::total_timeout(total).with_request(request.method(), request.url())
                );
            }
        }
        if !self.settings.has_request_hooks {
            return self.send(request, now);
        }
        self.apply_options(&mut request);
        self.state = State::AwaitRequestHooks;
        Ok(Step::RequestHooks(request))
    }

    fn apply_options(&self, request: &mut Request) {
        let options = request.options_mut();
        options.timeout = self.settings.timeout;
        options.deadline = self.deadline;
        options.follow_redirects = self.settings.follow_redirects;
        options.max_redirects = self.settings.max_redirects;
        options.max_body_size = self.settings.max_body_size;
        if options.credentials.is_none() {
            options.credentials = self.settings.credentials;
        }
    }

    fn add_cookie_header(&self, request: &mut Request) {
        if !cfg!(feature = "cookies") {
            return;
        }
        if let Some(jar) = &self.settings.cookies {
            if let Ok(jar) = jar.lock() {
                if let Some(value) = jar.cookie_header(request.url()) {
                    // Cookie values from the jar never hold control characters.
                    let _ = request.headers_mut().insert("Cookie", value);
                }
            }
        }
    }

    /// The redirect loop ended with `response`: hand it to the auth flow.
    fn end_redirects(&mut self, response: Response) -> Result<Step<'a, F>> {
        let Some(auth_flow) = self.auth_flow.take() else {
            return self.finish(response);
        };
        if self
            .settings
            .auth
            .is_some_and(|auth| auth.requires_response_body())
        {
            self.state = State::AwaitAuthResponseBody(auth_flow);
            return Ok(Step::ReadResponse(response));
        }
        self.state = State::AwaitAuthNext;
        Ok(Step::AuthNext(response, auth_flow))
    }

    fn finish(&mut self, response: Response) -> Result<Step<'a, F>> {
        if self.settings.stream {
            self.state = State::Finished;
            return Ok(Step::Done(response));
        }
        self.state = State::AwaitFinalRead;
        Ok(Step::ReadResponse(response))
    }
}

#[cfg(test)]
mod tests;
