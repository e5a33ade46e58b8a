//! Where a run stands, as the engine sees it.

/// Where a run stands: what [`Engine::phase`](super::Engine::phase) tells a
/// driver to show and whether it waits for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Requests are being handed out or answered.
    Running,
    /// Paused by the user ([`Engine::pause`](super::Engine::pause)); the
    /// requests in flight still complete.
    Paused,
    /// Stopped by the CA (wrong keys, wrong URL); the text says why.
    Halted(String),
    /// Given up by the user.
    Cancelled,
    /// Nothing is in flight and nothing more will be sent (some rows may be
    /// left unknown, to reconcile in a later run).
    Finished,
}

impl Phase {
    /// The stable lower-case name of the phase.
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Running => "running",
            Phase::Paused => "paused",
            Phase::Halted(_) => "halted",
            Phase::Cancelled => "cancelled",
            Phase::Finished => "finished",
        }
    }
}
