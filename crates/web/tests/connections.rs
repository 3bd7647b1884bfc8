//! The server's connections, over real TCP: a client that sends its
//! headers too slowly (slow loris) is cut off at the header timeout, an
//! idle kept-alive connection too, and past the connection limit a new
//! client waits until a connection closes, then is served.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use bbn_core::SiteSettings;
use bbn_store::testing::TestDb;
use bbn_web::{AppState, Limits, Theme, WebConfig};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// A bound the tests never reach when the server behaves.
const PATIENCE: Duration = Duration::from_secs(20);

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _db: TestDb,
}

impl Server {
    async fn start(limits: Limits) -> Server {
        let db = TestDb::sqlite().await;
        let store = db.store.clone();
        store.save_settings(&SiteSettings::default()).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(
            store.clone(),
            bbn_search::Search::in_memory(store).unwrap(),
            Theme::load(None).unwrap(),
            WebConfig::new(&format!("http://{addr}")),
        );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(bbn_web::serve(listener, state, limits, async move {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
            task,
            _db: db,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the server did not stop")
            .unwrap()
            .unwrap();
    }
}

/// Blocking I/O off the runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

/// Reads until the server closes the connection; what it sent.
fn read_until_closed(mut stream: TcpStream) -> Vec<u8> {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("the server kept the connection open ({e}); it sent {got:?}"),
        }
    }
}

/// One request on a kept-alive connection; the status line of its answer.
fn ask(stream: &mut TcpStream, path: &str) -> String {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: site\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    // The healthz answer is small: headers and body come in a few reads.
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "the server closed the connection instead of answering"
        );
        got.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&got)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_idle_connections_are_cut_off() {
    let server = Server::start(Limits {
        header_timeout: Duration::from_millis(500),
        ..Limits::default()
    })
    .await;
    let addr = server.addr;
    // Half a request, then nothing: the server hangs up.
    let sent = blocking(move || {
        let mut slow = TcpStream::connect(addr).unwrap();
        slow.write_all(b"GET / HTTP/1.1\r\nHost: si").unwrap();
        read_until_closed(slow)
    })
    .await;
    assert!(
        !String::from_utf8_lossy(&sent).contains("200 OK"),
        "a request whose headers never ended was answered"
    );
    // A connection that asked once and then sat idle is closed too, after
    // having been answered.
    blocking(move || {
        let mut idle = TcpStream::connect(addr).unwrap();
        assert!(ask(&mut idle, "/healthz").contains("200"));
        read_until_closed(idle);
    })
    .await;
    // Connections that keep to the timeout are served as ever.
    blocking(move || {
        let mut keen = TcpStream::connect(addr).unwrap();
        for _ in 0..3 {
            assert!(ask(&mut keen, "/healthz").contains("200"));
        }
    })
    .await;
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_limit_a_client_waits_for_a_free_one() {
    let server = Server::start(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let addr = server.addr;
    let (held, waiting) = blocking(move || {
        // Two connections hold both places.
        let mut held: Vec<TcpStream> = (0..2)
            .map(|_| {
                let mut s = TcpStream::connect(addr).unwrap();
                assert!(ask(&mut s, "/healthz").contains("200"));
                s
            })
            .collect();
        // A third connects (the kernel accepts it) but is not served...
        let mut third = TcpStream::connect(addr).unwrap();
        write!(third, "GET /healthz HTTP/1.1\r\nHost: site\r\n\r\n").unwrap();
        third
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let mut buf = [0u8; 64];
        match third.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            other => panic!("a connection past the limit was served at once: {other:?}"),
        }
        // ...until one of the two closes.
        held.pop();
        (held, third)
    })
    .await;
    blocking(move || {
        let mut third = waiting;
        third.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut buf = [0u8; 64];
        let n = third.read(&mut buf).unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        drop(held);
    })
    .await;
    server.stop().await;
}
