//! The accept loop. It serves each connection with hyper so that a handler can
//! drop its connection without answering (the `--drop-rate` fault), which a
//! plain `axum::serve` cannot do, and tells every request who is calling
//! (`ConnectInfo`, for the admin endpoints' loopback check).

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tower::ServiceExt;

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

/// The answer of a created order whose client never gets it: the status line
/// and the first bytes (`first`) leave, then the connection is cut. (Cutting
/// it before any byte would let a browser silently resend the POST on a
/// reused keep-alive connection, which no page can prevent; see
/// ARCHITECTURE.md.)
pub fn cut_off(drop: &DropConnection, status: StatusCode, first: &'static [u8]) -> Response {
    drop.after(std::time::Duration::from_millis(50));
    let first = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(Bytes::from_static(first)) });
    let body = Body::from_stream(futures_util::StreamExt::chain(first, futures_util::stream::pending()));
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Serves `app` on `listener` until `shutdown` turns true.
pub async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>) {
    loop {
        let (stream, peer): (_, SocketAddr) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(_) => continue,
            },
            _ = shutdown.changed() => return,
        };
        let (kill_tx, mut kill_rx) = mpsc::channel::<()>(1);
        let drop = DropConnection(kill_tx);
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(drop.clone());
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
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
