//! Keeps webhook deliveries off internal addresses, at the moment of
//! connecting. A check of the URL when the webhook is saved is not enough: a
//! name can resolve to 127.0.0.1, or resolve to a public address when it is
//! saved and to a private one later (DNS rebinding). So the connector judges
//! the very addresses it is about to connect to: the resolver hands it only
//! the allowed ones among what a name resolves to, and an address written in
//! the URL itself (which is never resolved) is judged before anything else.
//! The client does not follow redirects, so there is no second hop to guard.

use bbn_core::address::is_public;
use hyper::Uri;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::{GaiResolver, Name};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::net::TcpStream;
use tower_service::Service;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// Where a client may connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public addresses only: webhooks, whose URLs come from the newsroom.
    Public,
    /// Anywhere: addresses the operator configured (the purge URL), or
    /// webhooks when `--webhook-allow-private` says so.
    Anywhere,
}

/// The one error a refused address gives. It says nothing of the address
/// or port, and comes before any connection is tried, so the delivery log
/// cannot tell an open port from a closed one.
#[derive(Debug)]
pub struct NotAllowed;

impl std::fmt::Display for NotAllowed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("address not allowed")
    }
}

impl std::error::Error for NotAllowed {}

/// Whether an error, or anything it was caused by, is a refused address.
pub fn is_not_allowed(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if c.is::<NotAllowed>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// The system resolver, with the refused addresses taken out of its answer.
#[derive(Clone)]
pub struct Resolver {
    system: GaiResolver,
    reach: Reach,
}

impl Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.system.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let lookup = self.system.call(name);
        let reach = self.reach;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = lookup
                .await?
                .filter(|a| reach == Reach::Anywhere || is_public(a.ip()))
                .collect();
            if addrs.is_empty() && reach == Reach::Public {
                return Err(NotAllowed.into());
            }
            Ok(addrs.into_iter())
        })
    }
}

/// The TCP connector over `Resolver` that also judges IP addresses written
/// in the URL, which `HttpConnector` connects to without resolving.
#[derive(Clone)]
pub struct Connector {
    http: HttpConnector<Resolver>,
    reach: Reach,
}

impl Connector {
    pub fn new(reach: Reach, connect_timeout: std::time::Duration) -> Connector {
        let mut http = HttpConnector::new_with_resolver(Resolver {
            system: GaiResolver::new(),
            reach,
        });
        http.enforce_http(false);
        http.set_connect_timeout(Some(connect_timeout));
        Connector { http, reach }
    }
}

/// The address a URL names literally, as `HttpConnector` would read it.
fn literal_ip(uri: &Uri) -> Option<IpAddr> {
    let host = uri.host()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    host.parse().ok()
}

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = BoxError;
    type Future = BoxFuture<Self::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        if self.reach == Reach::Public && literal_ip(&uri).is_some_and(|ip| !is_public(ip)) {
            return Box::pin(std::future::ready(Err(NotAllowed.into())));
        }
        let connecting = self.http.call(uri);
        Box::pin(async move { connecting.await.map_err(Into::into) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_addresses_are_read_as_the_connector_reads_them() {
        let ip = |u: &str| literal_ip(&u.parse::<Uri>().unwrap());
        assert_eq!(ip("http://127.0.0.1:5432/"), Some([127, 0, 0, 1].into()));
        assert_eq!(ip("http://[::1]:22/"), Some("::1".parse().unwrap()));
        assert_eq!(
            ip("http://[::ffff:127.0.0.1]/"),
            Some("::ffff:127.0.0.1".parse().unwrap())
        );
        // Names, including numeric spellings the parser does not take as an
        // address, go through the resolver and are judged there.
        assert_eq!(ip("http://localhost/"), None);
        assert_eq!(ip("http://2130706433/"), None);
    }
}
