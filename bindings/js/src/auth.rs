//! Auth from JavaScript: Basic and Digest are the core's; everything else (functions,
//! generator flows) is a [`JsAuth`], an [`AsyncAuthFlow`] that drives a JavaScript
//! generator.
//!
//! The JavaScript layer turns an auth object into `["flow", start, requiresRequestBody,
//! requiresResponseBody]`. `start(request)` calls the object's `authFlow(request)` and
//! returns `[step, close]`: `step(response)` resumes the generator with a response
//! (nothing, the first time) and resolves to the next request it yields, or `null` once
//! it returns; a sync generator and an async one look the same from here. `close()`
//! runs the generator's `finally` blocks when the send ends before the flow does.

use std::sync::Arc;

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use httpx::auth::{AsyncAuthFlow, Auth, AuthFlow, BasicAuth, DigestAuth};
use httpx::rt::BoxFuture;
use httpx::{Request, Response, Result};

use crate::convert::{apply_request, call, request_to_js, response_meta, string};
use crate::error::invalid_state;

/// The auth a descriptor from the JavaScript layer stands for.
pub(crate) fn auth_from_js(value: &JsValue) -> Result<Arc<dyn Auth>> {
    let parts: &Array = value.unchecked_ref();
    let kind = string(&parts.get(0));
    Ok(match kind.as_str() {
        "basic" => Arc::new(BasicAuth::new(string(&parts.get(1)), string(&parts.get(2)))),
        "digest" => Arc::new(DigestAuth::new(
            string(&parts.get(1)),
            string(&parts.get(2)),
        )),
        "flow" => Arc::new(JsAuth {
            start: parts.get(1).unchecked_into(),
            requires_request_body: parts.get(2).is_truthy(),
            requires_response_body: parts.get(3).is_truthy(),
        }),
        _ => return Err(invalid_state("unknown auth descriptor")),
    })
}

/// An auth object written in JavaScript.
struct JsAuth {
    start: Function,
    requires_request_body: bool,
    requires_response_body: bool,
}

impl Auth for JsAuth {
    fn requires_request_body(&self) -> bool {
        self.requires_request_body
    }

    fn requires_response_body(&self) -> bool {
        self.requires_response_body
    }

    /// Only the async client exists in the browser.
    fn auth_flow(&self, _request: Request) -> Box<dyn AuthFlow + '_> {
        Box::new(NoSyncFlow)
    }

    fn async_auth_flow(&self, request: Request) -> Box<dyn AsyncAuthFlow + '_> {
        Box::new(JsFlow {
            start: &self.start,
            request: Some(request),
            last: None,
            driver: None,
        })
    }
}

struct NoSyncFlow;

impl AuthFlow for NoSyncFlow {
    fn first(&mut self) -> Result<Request> {
        Err(invalid_state(
            "JavaScript auth flows run on the async client only",
        ))
    }
    fn next(&mut self, _response: &Response) -> Result<Option<Request>> {
        Ok(None)
    }
}

struct JsFlow<'a> {
    start: &'a Function,
    /// The request the flow started with, until its first yield (its body may be a
    /// stream, which only the first request can send).
    request: Option<Request>,
    /// The last request yielded, the base of the next one (its options and body).
    last: Option<Request>,
    /// `[step, close]`, once started; `None` again when the generator has returned.
    driver: Option<Array>,
}

impl JsFlow<'_> {
    /// Resumes the generator; its next request, or `None` when it returned.
    async fn step(&mut self, response: JsValue) -> Result<Option<Request>> {
        let Some(driver) = &self.driver else {
            return Ok(None);
        };
        let step: Function = driver.get(0).unchecked_into();
        let yielded = call(&step, &response).await?;
        if yielded.is_null() || yielded.is_undefined() {
            self.driver = None;
            return Ok(None);
        }
        let mut next = match self.request.take() {
            Some(first) => first,
            None => self
                .last
                .as_ref()
                .ok_or_else(|| invalid_state("the auth flow lost its request"))?
                .clone(),
        };
        apply_request(&mut next, &yielded)?;
        self.last = Some(next.clone());
        Ok(Some(next))
    }
}

impl AsyncAuthFlow for JsFlow<'_> {
    fn first(&mut self) -> BoxFuture<'_, Result<Request>> {
        Box::pin(async move {
            let request = self
                .request
                .as_ref()
                .ok_or_else(|| invalid_state("the auth flow was started twice"))?;
            let driver = call(self.start, &request_to_js(request)).await?;
            self.driver = Some(driver.unchecked_into());
            self.step(JsValue::UNDEFINED)
                .await?
                .ok_or_else(|| invalid_state("The auth flow returned before yielding a request."))
        })
    }

    fn next<'a>(&'a mut self, response: &'a Response) -> BoxFuture<'a, Result<Option<Request>>> {
        Box::pin(async move { self.step(response_meta(response, true)).await })
    }
}

impl Drop for JsFlow<'_> {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.take() {
            let close: Function = driver.get(1).unchecked_into();
            let _ = close.call0(&JsValue::UNDEFINED);
        }
    }
}
