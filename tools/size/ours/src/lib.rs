//! One GET + `text()` with httpx's `AsyncClient` on the fetch transport.

use wasm_bindgen::prelude::*;

thread_local! {
    static CLIENT: httpx::AsyncClient = httpx::AsyncClient::new();
}

/// GETs `url` and returns the body as text; errors become a JavaScript string.
#[wasm_bindgen]
pub async fn get_text(url: String) -> Result<String, JsValue> {
    let client = CLIENT.with(Clone::clone);
    let response = client.get(url).send().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
    let text = response.text().map_err(|e| JsValue::from_str(&e.to_string()))?;
    Ok(text.to_owned())
}
