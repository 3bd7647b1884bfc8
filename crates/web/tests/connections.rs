//! The server's connections, over real TCP: a client that sends its
//! headers too slowly (slow loris) is cut off at the header timeout, an
//! idle kept-alive connection too, and past the connection limit a new
//! client waits until a connection closes, then is served. A client that
//! pipelines requests and never reads the answers lets go of its connection
//! at the write timeout, and one address cannot hold every connection.

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

/// A TCP connection to `server` from the loopback address `from`, with a
/// small receive window so that answers it never reads soon fill it.
async fn connect_from(from: &str, server: SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    let stream = socket.connect(server).await.unwrap().into_std().unwrap();
    stream.set_nonblocking(false).unwrap();
    stream
}

/// Whether the server hung up on `stream` without answering it.
fn closed_unanswered(stream: &mut TcpStream) -> bool {
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Err(e) if e.kind() == ErrorKind::ConnectionReset => true,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_pipeline_and_never_read_let_go_at_the_write_timeout() {
    let big = Theme::load(None)
        .unwrap()
        .asset_url("css/site.css")
        .unwrap()
        .to_string();
    let server = Server::start(Limits {
        max_connections: 4,
        connections_per_address: 4,
        write_timeout: Duration::from_secs(1),
        ..Limits::default()
    })
    .await;
    let addr = server.addr;
    // Every place is taken by a client that asks for a stylesheet hundreds
    // of times in one go and reads none of the answers: far more than the
    // socket buffers hold, so the server's writes stall.
    let mut greedy = Vec::new();
    for _ in 0..4 {
        let mut stream = connect_from("127.0.0.1", addr).await;
        let requests = format!("GET {big} HTTP/1.1\r\nHost: site\r\n\r\n").repeat(600);
        greedy.push(
            blocking(move || {
                stream.set_write_timeout(Some(PATIENCE)).unwrap();
                // The server may stop reading (or hang up) before taking all.
                let _ = stream.write_all(requests.as_bytes());
                stream
            })
            .await,
        );
    }
    // A new reader is answered once the stalled writes give up, long
    // before it would lose patience.
    let started = std::time::Instant::now();
    let status = blocking(move || {
        let mut fresh = TcpStream::connect(addr).unwrap();
        ask(&mut fresh, "/healthz")
    })
    .await;
    assert!(status.contains("200"), "{status}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "a reader waited {:?} behind clients that never read",
        started.elapsed()
    );
    drop(greedy);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_cannot_take_every_connection() {
    let server = Server::start(Limits {
        max_connections: 4,
        connections_per_address: 2,
        ..Limits::default()
    })
    .await;
    let addr = server.addr;
    let mut from_one = Vec::new();
    for _ in 0..4 {
        from_one.push(connect_from("127.0.0.2", addr).await);
    }
    let (from_one, other) = (from_one, connect_from("127.0.0.3", addr).await);
    blocking(move || {
        let mut from_one = from_one;
        // Its share is served and kept open...
        for stream in &mut from_one[..2] {
            assert!(ask(stream, "/healthz").contains("200"));
        }
        // ...the connections past it are closed at once, not kept waiting...
        for stream in &mut from_one[2..] {
            let _ = write!(stream, "GET /healthz HTTP/1.1\r\nHost: site\r\n\r\n");
            assert!(
                closed_unanswered(stream),
                "a connection past the address's share was kept"
            );
        }
        // ...and another address is served while it holds its share.
        let mut other = other;
        other
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        write!(other, "GET /healthz HTTP/1.1\r\nHost: site\r\n\r\n").unwrap();
        let mut buf = [0u8; 64];
        let n = other
            .read(&mut buf)
            .expect("another address was kept waiting");
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        drop(from_one);
    })
    .await;
    server.stop().await;
}
