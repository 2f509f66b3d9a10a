//! One GET + `text()` with the global `fetch` through web-sys, nothing else.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(input: &str) -> js_sys::Promise;
}

/// GETs `url` and returns the body as text.
#[wasm_bindgen]
pub async fn get_text(url: String) -> Result<String, JsValue> {
    let response: web_sys::Response = JsFuture::from(global_fetch(&url)).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?;
    Ok(text.as_string().unwrap_or_default())
}
