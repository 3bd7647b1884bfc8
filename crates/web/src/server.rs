//! The connection side of serving: accepting TCP connections and speaking
//! HTTP/1.1 on them, with limits a public site needs. A client gets a fixed
//! time to send a request's headers (and, on a kept-alive connection, to
//! start its next request), so a slow-loris client holds a connection no
//! longer than that; a response that the client stops reading is given up
//! once a write has made no progress for the write timeout, so a client that
//! pipelines requests and never reads their answers lets go of its
//! connection too; one address holds at most so many connections, so it
//! cannot take every place; and only so many connections are served at once,
//! the rest waiting in the kernel's accept queue until one closes.

use crate::extract::client::Proxies;
use crate::{AppState, router};
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Sleep;
use tower::ServiceExt;

/// How clients may hold the server's connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections one client address may hold at once (trusted proxies
    /// excepted); a connection past it is closed as soon as it is accepted.
    pub connections_per_address: usize,
    /// Time to send a request's headers, counted from the connection's
    /// opening or from the end of the previous response.
    pub header_timeout: Duration,
    /// Time a write of a response may make no progress (the client not
    /// reading) before the connection is closed.
    pub write_timeout: Duration,
    /// How long a shutdown waits for requests in flight.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            connections_per_address: DEFAULT_CONNECTIONS_PER_ADDRESS,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            drain: Duration::from_secs(30),
        }
    }
}

pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Enough for a household or an office behind one address, a browser
/// opening six at a time each; far from the default connection limit.
pub const DEFAULT_CONNECTIONS_PER_ADDRESS: usize = 64;
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A reader on a poor mobile link still takes some of a page in that time.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves the site on `listener` until `shutdown` resolves, then lets
/// in-flight requests finish (for at most `limits.drain`).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let per_address = Arc::new(PerAddress::new(
        limits.connections_per_address.max(1),
        state.config.trusted_proxies.clone(),
    ));
    let app = router(state);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    // HTTP/1.1 only, with upgrades (the live editor's socket).
    let mut http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new()).http1_only();
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let http = Arc::new(http);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: not the
                    // listener's end. Give the system a moment.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Closed at once rather than kept waiting: a waiting connection
        // would hold the place this address is not to have.
        let Some(held) = per_address.take(peer.ip()) else {
            tracing::debug!(peer = %peer, "too many connections from one address; closed");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        // Each request knows its TCP peer (ClientAddr: rate limits, address hashes).
        let service = app
            .clone()
            .map_request(move |mut request: axum::http::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
        // Upgrades: the live editor's socket. Once upgraded, a socket holds
        // neither this connection's slot nor its address's place; the live
        // editor bounds its sockets itself (newsroom::live).
        let watcher = graceful.watcher();
        let http = http.clone();
        tokio::spawn(async move {
            let connection =
                http.serve_connection_with_upgrades(io, TowerToHyperService::new(service));
            if let Err(e) = watcher.watch(connection).await {
                tracing::trace!(error = %e, peer = %peer, "connection ended with an error");
            }
            drop(held);
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            "requests still in flight after {} s; stopping anyway",
            limits.drain.as_secs()
        );
    }
    Ok(())
}

/// Connections held per client address. The address is the TCP peer's:
/// behind a reverse proxy every reader arrives from the proxy, so trusted
/// proxies are not counted (the connection limit still bounds them).
struct PerAddress {
    limit: usize,
    exempt: Proxies,
    held: Mutex<HashMap<IpAddr, usize>>,
}

impl PerAddress {
    fn new(limit: usize, exempt: Proxies) -> PerAddress {
        PerAddress {
            limit,
            exempt,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// A place for one more connection from `ip`, or None when it holds
    /// its share already.
    fn take(self: &Arc<Self>, ip: IpAddr) -> Option<AddressHeld> {
        if self.exempt.contains(ip) {
            return Some(AddressHeld(None));
        }
        let key = address_key(ip);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let count = held.entry(key).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(AddressHeld(Some((self.clone(), key))))
    }

    fn give_back(&self, key: IpAddr) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = held.get_mut(&key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&key);
            }
        }
    }
}

/// What one address is counted as: an IPv4 address as itself (also when it
/// comes IPv4-mapped); an IPv6 address by its /64 network, since one host
/// is commonly given a whole /64 and could otherwise pick a fresh address
/// for each connection.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
        },
    }
}

/// One connection's place in its address's count, given back when the
/// connection ends. None: an exempt address, not counted.
struct AddressHeld(Option<(Arc<PerAddress>, IpAddr)>);

impl Drop for AddressHeld {
    fn drop(&mut self) {
        if let Some((table, key)) = &self.0 {
            table.give_back(*key);
        }
    }
}

/// A connection whose writes fail with `TimedOut` once one has waited
/// `limit` without the client taking any of it. Hyper waits on a full
/// socket for ever, and the header timeout only covers reading, so without
/// this a client that never reads would hold its connection for as long as
/// it liked. Reads pass through untouched.
struct WriteDeadline<T> {
    inner: T,
    limit: Duration,
    /// Running while a write waits; dropped whenever one makes progress.
    stalled: Option<Pin<Box<Sleep>>>,
}

impl<T> WriteDeadline<T> {
    fn new(inner: T, limit: Duration) -> WriteDeadline<T> {
        WriteDeadline {
            inner,
            limit,
            stalled: None,
        }
    }

    /// Follows one write attempt's outcome: progress resets the clock, a
    /// wait starts it (or keeps it running), and a wait past the limit
    /// becomes an error.
    fn watch<R>(
        &mut self,
        cx: &mut Context<'_>,
        attempt: Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if attempt.is_ready() {
            self.stalled = None;
            return attempt;
        }
        let limit = self.limit;
        let stalled = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(stalled.as_mut().poll(cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client took none of the response within the write timeout",
        )))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteDeadline<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let attempt = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.watch(cx, attempt)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let attempt = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.watch(cx, attempt)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let attempt = Pin::new(&mut self.inner).poll_flush(cx);
        self.watch(cx, attempt)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let attempt = Pin::new(&mut self.inner).poll_shutdown(cx);
        self.watch(cx, attempt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_host_counts_as_its_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_key(a), address_key(b));
        assert_ne!(address_key(a), address_key(other));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn an_address_holds_its_share_and_gets_it_back() {
        let table = Arc::new(PerAddress::new(2, Proxies::parse("10.0.0.1").unwrap()));
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let first = table.take(ip).unwrap();
        let _second = table.take(ip).unwrap();
        assert!(table.take(ip).is_none(), "a third connection was let in");
        assert!(table.take("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert!(
            table.take(ip).is_some(),
            "a closed connection's place was not given back"
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let proxied: Vec<_> = (0..5).map(|_| table.take(proxy)).collect();
        assert!(
            proxied.iter().all(Option::is_some),
            "a trusted proxy was counted"
        );
    }
}
