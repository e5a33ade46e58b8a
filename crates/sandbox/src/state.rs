//! What every handler shares: the store, the accounts, the live faults and
//! the profile, plus the fault gate each API request passes first.

use crate::accounts::Account;
use crate::faults::{FaultState, Gate};
use crate::profile::Profile;
use crate::store::Store;
use std::sync::Arc;

/// The sandbox's state.
pub struct AppState {
    pub store: Store,
    pub accounts: Vec<Account>,
    pub faults: FaultState,
    pub profile: Profile,
    /// CORS preflights received, by path: a test proves with it that the
    /// page's orders needed none (`GET /sandbox/preflights`).
    pub preflights: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
}

/// The state as handlers hold it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// The account with this key pair.
    pub fn account(&self, key: Option<&str>, secret: Option<&str>) -> Option<&Account> {
        let (key, secret) = (key?, secret?);
        self.accounts
            .iter()
            .find(|a| a.account_key == key && a.secret_key == secret)
    }

    /// The account an order belongs to.
    pub fn owner(&self, account_key: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.account_key == account_key)
    }

    /// Latency, then the rate limit and the failure coin: what every API
    /// request goes through before it is handled.
    pub async fn gate(&self) -> Gate {
        let delay = self.faults.latency();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        self.faults.gate()
    }
}
