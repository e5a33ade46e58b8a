//! The batch journal in IndexedDB (a 100k-row batch does not fit
//! localStorage). Records are keyed `[batch id, sequence]`, so reading a
//! batch back returns its lines in the order they were written. Which batch
//! is under way is a small pointer in localStorage.

use futures_channel::oneshot;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction, IdbTransactionMode};

const DB_NAME: &str = "smime-bulk";
const STORE: &str = "journal";
const ACTIVE_KEY: &str = "smime-bulk.active-batch";

/// An open journal database.
#[derive(Clone)]
pub struct JournalStore {
    db: IdbDatabase,
}

fn js_err(what: &str) -> impl Fn(JsValue) -> String + '_ {
    move |e| {
        let detail = e
            .dyn_ref::<web_sys::DomException>()
            .map(|d| d.message())
            .unwrap_or_default();
        format!(
            "{what} failed in the browser's storage (IndexedDB){}",
            if detail.is_empty() {
                String::new()
            } else {
                format!(": {detail}")
            }
        )
    }
}

/// Resolves when `req` succeeds (with its result) or fails.
async fn request_done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let (tx, rx) = oneshot::channel::<Result<JsValue, JsValue>>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let (t1, t2) = (tx.clone(), tx);
    let r1 = req.clone();
    let on_ok = Closure::once(move |_: web_sys::Event| {
        if let Some(tx) = t1.borrow_mut().take() {
            let _ = tx.send(r1.result());
        }
    });
    let r2 = req.clone();
    let on_err = Closure::once(move |_: web_sys::Event| {
        if let Some(tx) = t2.borrow_mut().take() {
            let _ = tx.send(Err(r2
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL)));
        }
    });
    req.set_onsuccess(Some(on_ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(on_err.as_ref().unchecked_ref()));
    let result = rx.await.unwrap_or(Err(JsValue::NULL));
    req.set_onsuccess(None);
    req.set_onerror(None);
    result
}

/// Resolves when `tx` has committed (the data is durable) or failed.
async fn transaction_done(tx: &IdbTransaction) -> Result<(), JsValue> {
    let (send, recv) = oneshot::channel::<Result<(), JsValue>>();
    let send = Rc::new(RefCell::new(Some(send)));
    let (s1, s2, s3) = (send.clone(), send.clone(), send);
    let on_complete = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = s1.borrow_mut().take() {
            let _ = s.send(Ok(()));
        }
    });
    let on_error = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = s2.borrow_mut().take() {
            let _ = s.send(Err(JsValue::NULL));
        }
    });
    let on_abort = Closure::once(move |_: web_sys::Event| {
        if let Some(s) = s3.borrow_mut().take() {
            let _ = s.send(Err(JsValue::NULL));
        }
    });
    tx.set_oncomplete(Some(on_complete.as_ref().unchecked_ref()));
    tx.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    tx.set_onabort(Some(on_abort.as_ref().unchecked_ref()));
    let result = recv.await.unwrap_or(Err(JsValue::NULL));
    tx.set_oncomplete(None);
    tx.set_onerror(None);
    tx.set_onabort(None);
    result
}

fn key(batch: &str, seq: u32) -> JsValue {
    js_sys::Array::of2(&JsValue::from_str(batch), &JsValue::from_f64(f64::from(seq))).into()
}

impl JournalStore {
    /// Opens (creating on first use) the journal database.
    pub async fn open() -> Result<Self, String> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or("this browser offers no IndexedDB (private mode?), so a batch could not survive a reload")?;
        let open = factory
            .open_with_u32(DB_NAME, 1)
            .map_err(js_err("opening the journal"))?;
        let on_upgrade = Closure::once(move |e: web_sys::IdbVersionChangeEvent| {
            let db = e
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                if !db.object_store_names().contains(STORE) {
                    let _ = db.create_object_store(STORE);
                }
            }
        });
        open.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
        let db = request_done(&open).await.map_err(js_err("opening the journal"))?;
        open.set_onupgradeneeded(None);
        Ok(JournalStore {
            db: db
                .dyn_into()
                .map_err(|_| "the journal database did not open".to_owned())?,
        })
    }

    /// Appends `text` (journal lines) as record `seq` of `batch`, durably.
    pub async fn append(&self, batch: &str, seq: u32, text: &str) -> Result<(), String> {
        let tx = self
            .db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_err("writing the journal"))?;
        let store = tx.object_store(STORE).map_err(js_err("writing the journal"))?;
        store
            .put_with_key(&JsValue::from_str(text), &key(batch, seq))
            .map_err(js_err("writing the journal"))?;
        transaction_done(&tx).await.map_err(js_err("writing the journal"))
    }

    /// Every record of `batch`, concatenated in order, and the next sequence number.
    pub async fn load(&self, batch: &str) -> Result<(String, u32), String> {
        let tx = self
            .db
            .transaction_with_str(STORE)
            .map_err(js_err("reading the journal"))?;
        let store = tx.object_store(STORE).map_err(js_err("reading the journal"))?;
        let range = IdbKeyRange::bound(&key(batch, 0), &key(batch, u32::MAX)).map_err(js_err("reading the journal"))?;
        let all = store.get_all_with_key(&range).map_err(js_err("reading the journal"))?;
        let values = request_done(&all).await.map_err(js_err("reading the journal"))?;
        let array: js_sys::Array = values.dyn_into().map_err(|_| "the journal is damaged".to_owned())?;
        let mut text = String::new();
        for v in array.iter() {
            text.push_str(&v.as_string().unwrap_or_default());
        }
        Ok((text, array.length()))
    }

    /// Deletes `batch`'s records.
    pub async fn delete(&self, batch: &str) -> Result<(), String> {
        let tx = self
            .db
            .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
            .map_err(js_err("clearing the journal"))?;
        let store = tx.object_store(STORE).map_err(js_err("clearing the journal"))?;
        let range =
            IdbKeyRange::bound(&key(batch, 0), &key(batch, u32::MAX)).map_err(js_err("clearing the journal"))?;
        store.delete(&range).map_err(js_err("clearing the journal"))?;
        transaction_done(&tx).await.map_err(js_err("clearing the journal"))
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// The batch under way in this browser, if any.
pub fn active_batch() -> Option<String> {
    local_storage()?.get_item(ACTIVE_KEY).ok().flatten()
}

/// Marks `batch` as under way (or none).
pub fn set_active_batch(batch: Option<&str>) {
    if let Some(s) = local_storage() {
        let _ = match batch {
            Some(b) => s.set_item(ACTIVE_KEY, b),
            None => s.remove_item(ACTIVE_KEY),
        };
    }
}
