//! The accept loop. It serves each connection with hyper so that a handler can
//! drop its connection without answering (the `--drop-rate` fault), which a
//! plain `axum::serve` cannot do.

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

/// Lets a handler close its connection without an answer.
#[derive(Clone)]
pub struct DropConnection(mpsc::Sender<()>);

impl DropConnection {
    /// Closes the connection after `delay`, whatever is being sent then.
    pub fn after(&self, delay: std::time::Duration) {
        let tx = self.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = tx.send(()).await;
        });
    }
}

/// Serves `app` on `listener` until `shutdown` turns true.
pub async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>) {
    loop {
        let (stream, _peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
            _ = shutdown.changed() => return,
        };
        let (kill_tx, mut kill_rx) = mpsc::channel::<()>(1);
        let service = TowerToHyperService::new(app.clone().layer(axum::Extension(DropConnection(kill_tx))));
        let mut stop = shutdown.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = kill_rx.recv() => {} // dropping `conn` closes the socket, unanswered
                _ = stop.changed() => {}
            }
        });
    }
}
