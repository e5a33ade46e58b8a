//! Reads a browser `File` into bytes.

use wasm_bindgen_futures::JsFuture;

/// The whole content of `file`, or a message saying why it could not be read.
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("The file \"{}\" could not be read by the browser. Check that it is still there and try again.", file.name()))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
