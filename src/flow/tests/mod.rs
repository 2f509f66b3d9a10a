//! [`SendFlow`] tested as a state machine: a [`Scenario`] drives a flow as a client
//! would, with canned responses for its `Send` steps, hooks and auth performed in
//! place, and a clock that only moves when a test moves it. A test fast-forwards to the
//! step it is about ([`Scenario::run_until`]), looks at it, and goes on
//! ([`Scenario::resume`]) or finishes ([`Scenario::finish`]).

mod auth;
mod cookies;
mod deadline;
mod hooks;
mod order;
mod redirects;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{FlowSettings, Input, SendFlow, Step};
use crate::auth::{Auth, AuthFlow};
use crate::config::{DefaultEncoding, Timeout};
use crate::cookies::Cookies;
use crate::error::Result;
use crate::request::{Method, Request};
use crate::response::Response;
use crate::rt::Instant;
use crate::transport::Capabilities;
use crate::url::Url;

type TestStep = Step<'static, Box<dyn AuthFlow>>;
type TestInput = Input<Box<dyn AuthFlow>>;

/// Settings of a client with httpx's defaults, no auth, no hooks, no jar.
fn settings() -> FlowSettings<'static> {
    FlowSettings {
        auth: None,
        has_request_hooks: false,
        has_response_hooks: false,
        follow_redirects: true,
        max_redirects: 20,
        max_body_size: None,
        timeout: Timeout::default(),
        stream: false,
        default_encoding: DefaultEncoding::default(),
        credentials: None,
        cookies: None,
    }
}

/// An auth that lives for the whole test (a flow borrows its auth).
fn leak(auth: impl Auth + 'static) -> &'static dyn Auth {
    Box::leak(Box::new(auth))
}

fn request(method: Method, url: &str) -> Request {
    Request::new(method, Url::parse(url).expect("a valid test URL"))
}

fn get(url: &str) -> Request {
    request(Method::GET, url)
}

fn reply(status: u16, headers: &[(&str, &str)]) -> Response {
    let mut builder = Response::builder(status);
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.build().expect("a valid test response")
}

fn redirect(status: u16, location: &str) -> Response {
    reply(status, &[("location", location)])
}

/// The name of a step, for traces and `run_until`.
fn name(step: &TestStep) -> &'static str {
    match step {
        Step::ReadRequestBody(_) => "ReadRequestBody",
        Step::StartAuth(..) => "StartAuth",
        Step::RequestHooks(_) => "RequestHooks",
        Step::Send(_) => "Send",
        Step::ResponseHooks(_) => "ResponseHooks",
        Step::ReadResponse(_) => "ReadResponse",
        Step::DrainRedirect(_) => "DrainRedirect",
        Step::AuthNext(..) => "AuthNext",
        Step::Done(_) => "Done",
    }
}

/// A request hook of a scenario.
type RequestHook = Box<dyn FnMut(&mut Request)>;

/// One send, driven step by step.
struct Scenario {
    flow: SendFlow<'static, Box<dyn AuthFlow>>,
    /// The time given to the next step.
    now: Instant,
    /// What the driver did last: the next step's input.
    input: Option<TestInput>,
    /// The responses the "transport" gives, in order.
    replies: VecDeque<Response>,
    /// What the transport host does itself.
    capabilities: Capabilities,
    /// Each request as it reached `Send`.
    sent: Vec<Request>,
    /// The names of the steps the flow asked for.
    trace: Vec<&'static str>,
    request_hook: Option<RequestHook>,
}

impl Scenario {
    fn new(request: Request, settings: FlowSettings<'static>) -> Scenario {
        Scenario {
            flow: SendFlow::new(request, settings),
            now: Instant::now(),
            input: Some(Input::Start),
            replies: VecDeque::new(),
            capabilities: Capabilities::default(),
            sent: Vec::new(),
            trace: Vec::new(),
            request_hook: None,
        }
    }

    /// The responses to give, one per `Send`.
    fn replies(mut self, replies: impl IntoIterator<Item = Response>) -> Scenario {
        self.replies.extend(replies);
        self
    }

    fn on_request(mut self, hook: impl FnMut(&mut Request) + 'static) -> Scenario {
        self.request_hook = Some(Box::new(hook));
        self
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// Asks the flow for its next step (with the current time).
    fn next_step(&mut self) -> Result<TestStep> {
        let input = self.input.take().expect("a step was asked for twice");
        let step = self.flow.step(input, self.now)?;
        self.trace.push(name(&step));
        Ok(step)
    }

    /// Performs a step as a client would; `Some(response)` for `Done`.
    fn resume(&mut self, step: TestStep) -> Result<Option<Response>> {
        let input = match step {
            Step::ReadRequestBody(mut request) => {
                request.read()?;
                Input::Request(request)
            }
            Step::StartAuth(request, auth) => {
                let mut auth_flow = auth.auth_flow(request);
                Input::AuthStarted(auth_flow.first()?, auth_flow)
            }
            Step::RequestHooks(mut request) => {
                if let Some(hook) = &mut self.request_hook {
                    hook(&mut request);
                }
                Input::Request(request)
            }
            Step::Send(request) => {
                self.sent.push(request.clone());
                let response = self.replies.pop_front().expect("a canned reply per Send");
                Input::Sent(response, self.capabilities.clone())
            }
            Step::ResponseHooks(response) => Input::Response(response),
            Step::ReadResponse(mut response) => {
                response.read()?;
                Input::Response(response)
            }
            Step::DrainRedirect(mut response) => {
                response.read_bounded(super::REDIRECT_BODY_LIMIT)?;
                Input::Response(response)
            }
            Step::AuthNext(response, mut auth_flow) => {
                let next = auth_flow.next(&response)?;
                Input::AuthNext(response, next, auth_flow)
            }
            Step::Done(response) => return Ok(Some(response)),
        };
        self.input = Some(input);
        Ok(None)
    }

    /// Drives the flow until it asks for a step named `wanted`, which is returned
    /// unperformed; fails if the flow finishes first.
    fn run_until(&mut self, wanted: &str) -> Result<TestStep> {
        loop {
            let step = self.next_step()?;
            if name(&step) == wanted {
                return Ok(step);
            }
            if self.resume(step)?.is_some() {
                panic!("the flow finished before a {wanted} step: {:?}", self.trace);
            }
        }
    }

    /// The steps so far, space-separated.
    fn steps(&self) -> String {
        self.trace.join(" ")
    }

    /// Drives the flow to its final response.
    fn finish(&mut self) -> Result<Response> {
        loop {
            let step = self.next_step()?;
            if let Some(response) = self.resume(step)? {
                return Ok(response);
            }
        }
    }
}

/// A GET of `https://a.test/` with these settings, answered by `replies`.
fn get_with(
    settings: FlowSettings<'static>,
    replies: impl IntoIterator<Item = Response>,
) -> Scenario {
    Scenario::new(get("https://a.test/"), settings).replies(replies)
}

/// Asserts that `result` failed with `kind` and `message`.
fn assert_fails(result: Result<Response>, kind: crate::error::ErrorKind, message: &str) {
    let err = result.expect_err("an error");
    assert_eq!((err.kind(), err.message()), (kind, message));
}

/// One redirect, then a 200.
fn one_redirect() -> [Response; 2] {
    [redirect(302, "/b"), reply(200, &[])]
}
