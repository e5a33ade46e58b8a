//! Bytes between the browser and the page's memory: a `File` read in, a
//! buffer handed out to the engine worker. A roster of 50 MB is copied a
//! slice at a time, yielding between slices, so no copy is one long task.

use crate::shared::slices::yield_now;
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

/// Bytes copied between two yields to the browser.
const SLICE_BYTES: usize = 4 << 20;

/// The whole content of `file`, or a message saying why it could not be read.
pub async fn read_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| {
        format!(
            "The file \"{}\" could not be read by the browser. Check that it is still there and try again.",
            file.name()
        )
    })?;
    Ok(from_browser(&[Uint8Array::new(&buffer)]).await)
}

/// A copy of browser buffers, end to end, in the page's memory.
pub async fn from_browser(sources: &[Uint8Array]) -> Vec<u8> {
    let len = sources.iter().map(|s| s.length() as usize).sum();
    let mut bytes = Vec::with_capacity(len);
    // Bytes copied since the last yield: many small sources (a report's
    // 256 KB pieces) are copied in one slice, not one each.
    let mut since_yield = 0;
    for source in sources {
        let source_len = source.length() as usize;
        for start in (0..source_len).step_by(SLICE_BYTES) {
            if since_yield >= SLICE_BYTES {
                yield_now().await;
                since_yield = 0;
            }
            let end = (start + SLICE_BYTES).min(source_len);
            let at = bytes.len();
            bytes.resize(at + end - start, 0);
            source.subarray(start as u32, end as u32).copy_to(&mut bytes[at..]);
            since_yield += end - start;
        }
    }
    bytes
}

/// A copy of `bytes` in a new browser buffer (to transfer to a worker).
pub async fn to_browser(bytes: &[u8]) -> Uint8Array {
    let out = Uint8Array::new_with_length(bytes.len() as u32);
    for start in (0..bytes.len()).step_by(SLICE_BYTES) {
        let end = (start + SLICE_BYTES).min(bytes.len());
        out.subarray(start as u32, end as u32).copy_from(&bytes[start..end]);
        if end < bytes.len() {
            yield_now().await;
        }
    }
    out
}

/// Lets the browser paint and handle input before the next slice of work.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
