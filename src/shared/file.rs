//! Bytes between the browser and the page's memory: a `File` read in and
//! kept by the browser, a copy of it handed to the engine worker, the
//! worker's report copied in. A roster of 50 MB is copied a slice at a time,
//! yielding between slices, so no copy is one long task.

use crate::shared::slices::yield_now;
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;

/// Bytes copied between two yields to the browser.
const SLICE_BYTES: usize = 4 << 20;

/// Bytes copied from one browser buffer to another between two yields:
/// the browser copies them itself, many times faster than into the page's
/// memory, so a slice may be larger (16 MB take a few ms).
const BROWSER_SLICE_BYTES: u32 = 16 << 20;

/// A roster's bytes as the browser read them, kept in a browser buffer and
/// never copied into the page's memory: the page does not read them itself,
/// and each check hands the engine worker a copy of its own
/// ([`BrowserBytes::copy`]). Before, a file was copied into the page's
/// memory and out again for each check: at 1M rows (49 MB) 90 and 30 ms of
/// the time from the file chosen to the summary.
#[derive(Debug, Clone)]
pub struct BrowserBytes(Uint8Array);

impl PartialEq for BrowserBytes {
    /// The same buffer, not only the same bytes: a file loaded again is a
    /// new roster.
    fn eq(&self, other: &Self) -> bool {
        js_sys::Object::is(&self.0, &other.0)
    }
}

impl Eq for BrowserBytes {}

impl BrowserBytes {
    /// `bytes` of the page's memory (pasted text, the sample) in a browser buffer.
    pub fn copied_from(bytes: &[u8]) -> Self {
        BrowserBytes(Uint8Array::from(bytes))
    }

    /// How many bytes there are.
    pub fn byte_length(&self) -> usize {
        self.0.length() as usize
    }

    /// A copy in a new browser buffer, to transfer to the engine worker
    /// (a transferred buffer is gone from the page), made a slice at a time.
    pub async fn copy(&self) -> Uint8Array {
        let len = self.0.length();
        let out = Uint8Array::new_with_length(len);
        let mut start = 0;
        while start < len {
            let end = start.saturating_add(BROWSER_SLICE_BYTES).min(len);
            out.set(&self.0.subarray(start, end), start);
            start = end;
            if start < len {
                yield_now().await;
            }
        }
        out
    }
}

/// The whole content of `file`, or a message saying why it could not be read.
pub async fn read_bytes(file: &web_sys::File) -> Result<BrowserBytes, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| {
        format!(
            "The file \"{}\" could not be read by the browser. Check that it is still there and try again.",
            file.name()
        )
    })?;
    Ok(BrowserBytes(Uint8Array::new(&buffer)))
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

/// Lets the browser paint and handle input before the next slice of work.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
