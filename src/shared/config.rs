//! `config.json`, read at run time from beside `index.html`: the CA presets
//! and the roster limits.

use serde::Deserialize;
use smime_bulk_ca::protocol::{Product, Profile};
use smime_bulk_roster::limits::Limits;
use std::collections::BTreeMap;

/// A CA the user can pick.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CaPreset {
    /// Shown in the picker.
    pub name: String,
    /// The API base URL.
    pub url: String,
    /// The dialect it speaks: `sslcom` (the default) or `reference`.
    #[serde(default)]
    pub profile: Profile,
    /// Products to offer besides, or instead of, the profile's built-in ones
    /// (same code: this one wins), e.g. with the prices of your agreement.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Bulk enrollment's ids for this CA, which it has no API to list.
    #[serde(default)]
    pub enrollment: Option<EnrollmentPreset>,
    /// Public demo keys (the local sandbox only).
    #[serde(default)]
    pub demo_account_key: Option<String>,
    /// Public demo secret (the local sandbox only).
    #[serde(default)]
    pub demo_secret_key: Option<String>,
}

/// Preset bulk-enrollment settings: the ids the CA gave the organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct EnrollmentPreset {
    /// The CA's numeric id of each product, by product code (e.g. `"302": 417`).
    #[serde(default)]
    pub certificate_ids: BTreeMap<String, u64>,
    /// The approver's user id.
    #[serde(default)]
    pub approver_id: Option<u64>,
    /// Addresses per enrollment (default: the engine's).
    #[serde(default)]
    pub chunk: Option<usize>,
}

impl CaPreset {
    /// The products to offer for a CA without a product API: the profile's
    /// built-in ones, with this preset's added or put in their place.
    pub fn catalogue(&self) -> Vec<Product> {
        let mut products: Vec<Product> = self
            .profile
            .catalogue()
            .into_iter()
            .filter(|p| !self.products.iter().any(|q| q.code == p.code))
            .collect();
        products.extend(self.products.iter().cloned());
        products
    }
}

/// The roster limits (`"limits": {"max_file_bytes", "max_rows",
/// "max_field_chars"}`), each the engine's default when left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// The largest file, in bytes.
    pub max_file_bytes: usize,
    /// The most rows.
    pub max_rows: usize,
    /// The longest cell, in characters.
    pub max_field_chars: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let Limits {
            max_file_bytes,
            max_rows,
            max_field_chars,
        } = Limits::default();
        LimitsConfig {
            max_file_bytes,
            max_rows,
            max_field_chars,
        }
    }
}

impl From<LimitsConfig> for Limits {
    fn from(c: LimitsConfig) -> Self {
        Limits {
            max_file_bytes: c.max_file_bytes,
            max_rows: c.max_rows,
            max_field_chars: c.max_field_chars,
        }
    }
}

/// The app's run-time configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AppConfig {
    /// CA presets; the first is the default.
    pub cas: Vec<CaPreset>,
    /// How much of a roster the page takes.
    #[serde(default)]
    pub limits: LimitsConfig,
}

impl Default for AppConfig {
    /// Used when `config.json` cannot be read: the local sandbox first.
    fn default() -> Self {
        AppConfig {
            cas: vec![
                CaPreset {
                    name: "Local sandbox CA".into(),
                    url: "http://127.0.0.1:8787".into(),
                    demo_account_key: Some("sandbox-account".into()),
                    demo_secret_key: Some("sandbox-secret".into()),
                    profile: Profile::Sslcom,
                    products: Vec::new(),
                    enrollment: Some(EnrollmentPreset {
                        certificate_ids: [("302".to_owned(), 417), ("303".to_owned(), 418)].into(),
                        approver_id: Some(1),
                        chunk: None,
                    }),
                },
                CaPreset {
                    name: "SSL.com sandbox".into(),
                    url: "https://sws-test.sslpki.com".into(),
                    demo_account_key: None,
                    demo_secret_key: None,
                    profile: Profile::Sslcom,
                    products: Vec::new(),
                    enrollment: None,
                },
                CaPreset {
                    name: "SSL.com production".into(),
                    url: "https://sws.sslpki.com".into(),
                    demo_account_key: None,
                    demo_secret_key: None,
                    profile: Profile::Sslcom,
                    products: Vec::new(),
                    enrollment: None,
                },
            ],
            limits: LimitsConfig::default(),
        }
    }
}

/// Reads `config.json` relative to the page (so sub-path hosting works).
pub async fn load() -> Result<AppConfig, String> {
    let resp = gloo_net::http::Request::get("config.json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !resp.ok() {
        return Err(format!("config.json: HTTP {}", resp.status()));
    }
    let config: AppConfig = resp
        .json()
        .await
        .map_err(|e| format!("config.json is not valid: {e}"))?;
    if config.cas.is_empty() {
        return Err("config.json lists no CA".into());
    }
    Ok(config)
}
