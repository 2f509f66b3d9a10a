//! One GET + `text()` with reqwest's wasm backend.

use wasm_bindgen::prelude::*;

thread_local! {
    static CLIENT: reqwest::Client = reqwest::Client::new();
}

/// GETs `url` and returns the body as text; errors become a JavaScript string.
#[wasm_bindgen]
pub async fn get_text(url: String) -> Result<String, JsValue> {
    let client = CLIENT.with(Clone::clone);
    let response = client.get(url).send().await.map_err(|e| JsValue::from_str(&e.to_string()))?;
    response.text().await.map_err(|e| JsValue::from_str(&e.to_string()))
}
