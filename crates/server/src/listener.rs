//! The HTTP accept loop: hyper's HTTP/1 and HTTP/2 connections with a header read timeout
//! and a bound on open connections per client IP.
//!
//! `axum::serve` gives no access to hyper's builder and sets no timer, so hyper's header read
//! timeout never fired: a client whose headers never finish held its connection (and a task)
//! for as long as it liked, and 500 of them stayed open. This loop is `axum::serve` with those
//! two limits, graceful shutdown included (hyper-util's `GracefulShutdown`).

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// The connection limits.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// Time to send a request's headers; also how long an idle keep-alive connection stays.
    pub header_read_timeout: Duration,
    /// Open connections per client IP.
    pub max_per_ip: usize,
}

impl ConnLimits {
    pub fn of(config: &ddhub_app::Config) -> Self {
        ConnLimits {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            max_per_ip: config.max_connections_per_ip,
        }
    }
}

/// Open connections by client IP.
#[derive(Default)]
struct PerIp(Mutex<HashMap<IpAddr, usize>>);

/// One open connection's place in [`PerIp`], given back when dropped.
struct Slot(Arc<PerIp>, IpAddr);

impl PerIp {
    fn take(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(ip).or_default();
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot(self.clone(), ip))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.0.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.1) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.1);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` is cancelled, then lets open connections
/// finish their requests (idle ones close at once). Handlers see the peer as
/// `ConnectInfo<SocketAddr>`, as with `into_make_service_with_connect_info`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(limits.header_read_timeout))
        .keep_alive_timeout(limits.header_read_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let per_ip = Arc::new(PerIp::default());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Some(slot) = per_ip.take(peer.ip(), limits.max_per_ip) else {
            tracing::debug!(peer = %peer.ip(), "connection refused: too many open from this IP");
            drop(stream);
            continue;
        };
        let service = router.clone().map_request(
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let service = hyper_util::service::TowerToHyperService::new(service);
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
