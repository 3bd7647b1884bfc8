//! One delivery attempt over HTTP(S): the signed POST, bounded by a
//! timeout, and a short account of what went wrong for the delivery log
//! (never a secret). Where the client may connect is `guard`'s business.

use bbn_store::DueDelivery;
use hmac::{Hmac, Mac};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderValue, USER_AGENT};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as Pool;
use hyper_util::rt::TokioExecutor;
use sha2::Sha256;
use std::time::Duration;

use super::guard::{self, Connector, Reach};

/// What the delivery log says of an address webhooks may not reach.
pub const NOT_ALLOWED: &str = "address not allowed: webhooks go to public addresses only \
     (see --webhook-allow-private)";

/// The HTTP client deliveries are posted with (cheap to clone).
#[derive(Clone)]
pub struct Client {
    pool: Pool<HttpsConnector<Connector>, Full<Bytes>>,
    timeout: Duration,
}

/// The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    // HMAC takes a key of any length; the error case cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return format!("t={t},v1=");
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// The deepest cause of an error, which says what actually happened
/// ("Connection refused (os error 111)"), cut short for the log.
fn short_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let mut text = cause.to_string();
    if text.len() > 200 {
        let mut end = 200;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

impl Client {
    pub fn new(timeout: Duration, reach: Reach) -> anyhow::Result<Client> {
        let http = Connector::new(reach, timeout);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let pool = Pool::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https);
        Ok(Client { pool, timeout })
    }

    /// Posts one delivery; the receiver's status, or why there was none.
    pub async fn post(&self, d: &DueDelivery) -> Result<u16, String> {
        let t = bbn_core::time::now();
        let request = hyper::Request::post(d.url.as_str())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, HeaderValue::from_static("bbn-webhooks"))
            .header("X-Bbn-Event", d.event.as_str())
            .header("X-Bbn-Delivery", d.id.to_string())
            .header("X-Bbn-Signature", sign(&d.secret, t, &d.payload))
            .body(Full::new(Bytes::from(d.payload.clone())))
            .map_err(|_| "the webhook's address is not a valid URL".to_string())?;
        self.send(request).await
    }

    /// Sends one request within the timeout; the receiver's status, or why there was none.
    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> Result<u16, String> {
        let attempt = async {
            let response = self.pool.request(request).await.map_err(|e| {
                if guard::is_not_allowed(&e) {
                    // The same words whatever the address and port: the log
                    // must not tell what listens inside.
                    NOT_ALLOWED.to_string()
                } else if e.is_connect() {
                    format!("could not connect: {}", short_cause(&e))
                } else {
                    format!("no answer: {}", short_cause(&e))
                }
            })?;
            // Only the status counts; the body is not read (a receiver
            // cannot keep the attempt busy by sending one).
            Ok(response.status().as_u16())
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} s", self.timeout.as_secs_f64())),
        }
    }
}
