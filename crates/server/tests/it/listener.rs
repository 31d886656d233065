//! The accept loop's limits (issue 16, item 7): a client whose headers never finish is cut
//! off after the header read timeout, and one IP cannot hold more than its share of
//! connections. Over real TCP on loopback.

use ddhub_server::listener::{ConnLimits, serve};
use ddhub_testkit::{TestApp, testing};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

async fn start(
    router: axum::Router,
    limits: ConnLimits,
) -> (std::net::SocketAddr, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let token = CancellationToken::new();
    tokio::spawn(serve(listener, router, limits, token.clone()));
    (addr, token)
}

/// Reads until the server closes the connection (or answers and closes); what it sent.
async fn read_until_closed(s: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

async fn healthz(s: &mut TcpStream) -> String {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_until_closed(s, Duration::from_secs(10))
        .await
        .expect("an answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_connections_per_ip_are_bounded() {
    let t = TestApp::init(testing::sqlite().await)
        .without_search()
        .build()
        .await;
    // Headers that never finish: closed once the timeout passes (the 10 s deadline only
    // bounds the test; without the timeout the connection stays open forever).
    let (addr, stop) = start(
        t.router.clone(),
        ConnLimits {
            header_read_timeout: Duration::from_secs(1),
            max_per_ip: 100,
        },
    )
    .await;
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Slow: 1")
        .await
        .unwrap();
    let closed = read_until_closed(&mut slow, Duration::from_secs(10)).await;
    assert!(
        closed.as_deref().is_some_and(|s| !s.contains("200 OK")),
        "the slow client was not cut off: {closed:?}"
    );
    // A normal request on the same server is answered.
    let mut ok = TcpStream::connect(addr).await.unwrap();
    assert!(healthz(&mut ok).await.starts_with("HTTP/1.1 200"));
    stop.cancel();

    // Three connections per IP: a fourth is closed at once, the three still work.
    let (addr, stop) = start(
        t.router.clone(),
        ConnLimits {
            header_read_timeout: Duration::from_secs(30),
            max_per_ip: 3,
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    // Let the server accept the three before the fourth arrives.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let refused = read_until_closed(&mut extra, Duration::from_secs(10)).await;
    assert_eq!(
        refused.as_deref(),
        Some(""),
        "the fourth connection is closed unanswered"
    );
    let answer = healthz(&mut held[0]).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Once one closes, a new connection is served again.
    drop(held);
    let start = std::time::Instant::now();
    loop {
        let mut again = TcpStream::connect(addr).await.unwrap();
        let answer = healthz(&mut again).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "slots never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
}
