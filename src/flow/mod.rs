//! The send loop as a sans-IO state machine: httpx's `_send_handling_auth` and
//! `_send_handling_redirects` in one place, driven by both clients.
//!
//! [`SendFlow::step`] takes what the driver did last ([`Input`]) and says what to do
//! next ([`Step`]): read a body, run hooks, start or continue the auth flow, send
//! through a transport, or finish. The flow itself does no I/O and never waits: the
//! sync [`Client`](crate::Client) and the async [`AsyncClient`](crate::AsyncClient)
//! perform each step their own way, in a loop of a few lines.

pub(crate) mod redirects;

use std::sync::{Arc, Mutex};

use crate::config::{Credentials, DefaultEncoding, Timeout};
use crate::cookies::Cookies;
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::{History, Response};
use crate::rt::Instant;
use crate::transport::Capabilities;

/// The most decoded bytes of a followed redirect's body the client reads (and keeps
/// in the history); a larger body is not read, so a redirect cannot make the client
/// inflate an unbounded body.
pub(crate) const REDIRECT_BODY_LIMIT: usize = 1024 * 1024;

/// What the driver must do next.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Step {
    /// Read the request body into memory (the auth flow needs it), then
    /// `Input::Request`.
    ReadRequestBody(Request),
    /// Start the auth flow with this request and take its first request, then
    /// `Input::Request`.
    StartAuth(Request),
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
    /// Give the response to the auth flow, then `Input::AuthNext` with its answer.
    AuthNext(Response),
    /// The final response.
    Done(Response),
}

/// What the driver did.
// Each value lives for one step and is moved, never copied in bulk: boxing would
// only add allocations.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Input {
    /// Nothing yet: the first call.
    Start,
    /// The request after reading its body, starting auth or running hooks.
    Request(Request),
    /// The transport's response and what that transport does by itself.
    Sent(Response, Capabilities),
    /// The response after hooks or reading.
    Response(Response),
    /// The response given to the auth flow and the flow's next request.
    AuthNext(Response, Option<Request>),
}

enum State {
    Start(Request),
    AwaitRequestBody,
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
    AwaitAuthResponseBody,
    AwaitAuthNext,
    /// The auth flow's intermediate response is being read; then `next` is sent.
    AwaitAuthRead {
        next: Request,
    },
    AwaitFinalRead,
    Finished,
}

/// Client settings the flow reads.
pub(crate) struct FlowSettings {
    /// Whether there is an auth flow to run (else its steps are skipped).
    pub(crate) has_auth: bool,
    /// Whether the client has request / response event hooks (else their steps are
    /// skipped: the request and the response are not handed out and back).
    pub(crate) has_request_hooks: bool,
    pub(crate) has_response_hooks: bool,
    pub(crate) follow_redirects: bool,
    pub(crate) max_redirects: usize,
    pub(crate) timeout: Timeout,
    pub(crate) stream: bool,
    pub(crate) requires_request_body: bool,
    pub(crate) requires_response_body: bool,
    pub(crate) default_encoding: DefaultEncoding,
    /// The client's fetch `credentials`, for requests that set none.
    pub(crate) credentials: Option<Credentials>,
    pub(crate) cookies: Option<Arc<Mutex<Cookies>>>,
}

/// One `send`: from the first request to the final response.
pub(crate) struct SendFlow {
    settings: FlowSettings,
    state: State,
    /// httpx's auth-level history: the responses the auth flow answered.
    auth_history: History,
    /// The auth history, then the redirect hops of the current auth round (httpx
    /// rebinds this list per hop): the history the next response carries. Both are
    /// shared lists, so a hop costs one node, not a copy of the history.
    history: History,
    deadline: Option<Instant>,
}

impl SendFlow {
    pub(crate) fn new(request: Request, settings: FlowSettings) -> SendFlow {
        let deadline = settings.timeout.total.map(|total| Instant::now() + total);
        SendFlow {
            settings,
            state: State::Start(request),
            auth_history: History::default(),
            history: History::default(),
            deadline,
        }
    }

    /// Advances the flow with what the driver did last.
    pub(crate) fn step(&mut self, input: Input) -> Result<Step> {
        let state = std::mem::replace(&mut self.state, State::Finished);
        match (state, input) {
            (State::Start(request), Input::Start) => {
                if !self.settings.has_auth {
                    return self.begin_send(request);
                }
                if self.settings.requires_request_body {
                    self.state = State::AwaitRequestBody;
                    return Ok(Step::ReadRequestBody(request));
                }
                self.state = State::AwaitAuthFirst;
                Ok(Step::StartAuth(request))
            }
            (State::AwaitRequestBody, Input::Request(request)) => {
                self.state = State::AwaitAuthFirst;
                Ok(Step::StartAuth(request))
            }
            (State::AwaitAuthFirst, Input::Request(request)) => self.begin_send(request),
            (State::AwaitRequestHooks, Input::Request(request)) => self.send(request),
            (State::AwaitSent { sent, started }, Input::Sent(mut response, capabilities)) => {
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
            (State::AwaitResponseHooks, Input::Response(response)) => {
                self.after_response_hooks(response)
            }
            (State::AwaitRedirectRead { next }, Input::Response(response)) => {
                // The response carries `self.history` (set above): it extends it.
                self.history = History::ending_with(response);
                self.begin_send(next)
            }
            (State::AwaitAuthResponseBody, Input::Response(response)) => {
                self.state = State::AwaitAuthNext;
                Ok(Step::AuthNext(response))
            }
            (State::AwaitAuthNext, Input::AuthNext(response, None)) => self.finish(response),
            (State::AwaitAuthNext, Input::AuthNext(mut response, Some(next))) => {
                response.set_history(self.auth_history.clone());
                self.state = State::AwaitAuthRead { next };
                Ok(Step::ReadResponse(response))
            }
            (State::AwaitAuthRead { next }, Input::Response(response)) => {
                // The response carries `self.auth_history` (set above): it extends it.
                self.auth_history = History::ending_with(response);
                self.history = self.auth_history.clone();
                self.begin_send(next)
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

    /// The response after its hooks: follow a redirect, or end the redirect loop.
    fn after_response_hooks(&mut self, mut response: Response) -> Result<Step> {
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
    fn send(&mut self, mut request: Request) -> Result<Step> {
        self.apply_options(&mut request)?;
        let sent = request.split_for_send()?;
        self.state = State::AwaitSent {
            sent: request,
            started: Instant::now(),
        };
        Ok(Step::Send(sent))
    }

    fn begin_send(&mut self, mut request: Request) -> Result<Step> {
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
            if Instant::now() >= deadline {
                let total = self.settings.timeout.total.unwrap_or_default();
                return Err(
                    total_timeout_error(total).with_request(request.method(), request.url())
                );
            }
        }
        if !self.settings.has_request_hooks {
            return self.send(request);
        }
        self.apply_options(&mut request)?;
        self.state = State::AwaitRequestHooks;
        Ok(Step::RequestHooks(request))
    }

    fn apply_options(&self, request: &mut Request) -> Result<()> {
        let options = request.options_mut();
        options.timeout = self.settings.timeout;
        options.deadline = self.deadline;
        options.follow_redirects = self.settings.follow_redirects;
        options.max_redirects = self.settings.max_redirects;
        if options.credentials.is_none() {
            options.credentials = self.settings.credentials;
        }
        Ok(())
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
    fn end_redirects(&mut self, response: Response) -> Result<Step> {
        if !self.settings.has_auth {
            return self.finish(response);
        }
        if self.settings.requires_response_body {
            self.state = State::AwaitAuthResponseBody;
            return Ok(Step::ReadResponse(response));
        }
        self.state = State::AwaitAuthNext;
        Ok(Step::AuthNext(response))
    }

    fn finish(&mut self, response: Response) -> Result<Step> {
        if self.settings.stream {
            self.state = State::Finished;
            return Ok(Step::Done(response));
        }
        self.state = State::AwaitFinalRead;
        Ok(Step::ReadResponse(response))
    }
}

/// The error for a passed total deadline: "The total timeout of 0.400s passed".
/// Formatted with integers: float formatting costs a browser build about 10 KB.
pub(crate) fn total_timeout_error(total: std::time::Duration) -> Error {
    Error::new(
        ErrorKind::TotalTimeout,
        format!(
            "The total timeout of {}.{:03}s passed",
            total.as_secs(),
            total.subsec_millis()
        ),
    )
}
