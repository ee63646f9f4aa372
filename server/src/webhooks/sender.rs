//! One POST of one message to one endpoint, with nothing the receiver or
//! its DNS controls able to stall the deliverer or point it inward:
//!
//! - the host is resolved here and every address checked before connecting
//!   (no private, loopback, link-local or metadata address unless the
//!   operator allows them), and the connection goes to the checked address
//!   (no second lookup a rebinding DNS could answer differently);
//! - the whole exchange has one deadline; redirects are answers, never
//!   followed; at most [`MAX_READ_BYTES`] of the answer's body are read;
//! - TLS with rustls (`ring`) and the system's roots;
//! - a round's messages to one receiver share a kept-alive connection.
//!
//! HTTP/1.1 by hand on hyper's client connection: a full client (reqwest)
//! would bring a second TLS stack and a process-wide crypto provider.

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, Limited};
use standin::webhooks::schedule::Attempt;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio_rustls::rustls;

/// At most this many bytes of an answer's body are read (and kept, cut
/// to 200, as the error).
pub const MAX_READ_BYTES: usize = 1024;

/// One request's body and the headers of its kind (Standard Webhooks'
/// signature headers, or a SET's media type and the receiver's
/// `Authorization`).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

/// Where a message goes and how.
#[derive(Debug, Clone)]
pub struct Sender {
    pub timeout: Duration,
    /// Private, loopback and link-local addresses allowed (a receiver on
    /// the same machine or network: tests, private deployments).
    pub allow_private: bool,
    pub user_agent: String,
}

/// A kept-alive connection to one receiver (`scheme://authority`), reused
/// by the next message of a round while the receiver keeps it open.
#[derive(Debug)]
pub struct Conn {
    origin: String,
    send: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    driver: tokio::task::JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

impl Sender {
    /// POSTs `out` to `url` on a connection of its own; what came of it.
    pub async fn send(&self, url: &str, out: Outgoing) -> Attempt {
        self.send_on(&mut None, url, out).await
    }

    /// POSTs `out` to `url`, on `conn` when it is a connection to the same
    /// receiver that is still open, else on a new one left in `conn`; a
    /// failure, or an answer not read to its end, closes it.
    pub async fn send_on(&self, conn: &mut Option<Conn>, url: &str, out: Outgoing) -> Attempt {
        match tokio::time::timeout(self.timeout, self.exchange(conn, url, out)).await {
            Ok(Ok(attempt)) => attempt,
            Ok(Err(error)) => {
                *conn = None;
                Attempt::Failed { status: None, error }
            }
            Err(_) => {
                *conn = None;
                Attempt::Failed {
                    status: None,
                    error: format!("no answer within {} ms", self.timeout.as_millis()),
                }
            }
        }
    }

    async fn exchange(&self, conn: &mut Option<Conn>, url: &str, out: Outgoing) -> Result<Attempt, String> {
        let uri: hyper::Uri = url.parse().map_err(|e| format!("bad url: {e}"))?;
        let authority = uri.authority().map(|a| a.as_str().to_string()).unwrap_or_default();
        let origin = format!("{}://{authority}", uri.scheme_str().unwrap_or(""));
        let reusable = conn
            .as_ref()
            .is_some_and(|c| c.origin == origin && c.send.is_ready() && !c.driver.is_finished());
        if !reusable {
            *conn = None;
            *conn = Some(self.connect(&uri, origin).await?);
        }
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let mut request = hyper::Request::post(path)
            .header(hyper::header::HOST, authority)
            .header(hyper::header::CONTENT_TYPE, out.content_type)
            .header(hyper::header::USER_AGENT, &self.user_agent);
        for (name, value) in &out.headers {
            request = request.header(*name, value);
        }
        let request = request
            .body(Full::new(Bytes::from(out.body)))
            .map_err(|e| format!("cannot make the request: {e}"))?;
        let c = conn.as_mut().ok_or("no connection")?;
        let answer = c.send.send_request(request).await.map_err(|e| format!("HTTP: {e}"))?;
        let status = answer.status().as_u16();
        // Read a little of the body, never all of it; a longer one ends the
        // connection (its rest is not read).
        let body = match Limited::new(answer.into_body(), MAX_READ_BYTES).collect().await {
            Ok(b) => String::from_utf8_lossy(&b.to_bytes()).chars().take(200).collect(),
            Err(_) => {
                *conn = None;
                String::from("(a body over 1 KiB, not read)")
            }
        };
        Ok(if (200..300).contains(&status) {
            Attempt::Delivered { status }
        } else {
            Attempt::Failed {
                status: Some(status),
                error: if body.is_empty() {
                    format!("answered {status}")
                } else {
                    body
                },
            }
        })
    }

    /// A new connection to `uri`'s receiver, its address checked.
    async fn connect(&self, uri: &hyper::Uri, origin: String) -> Result<Conn, String> {
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err("the scheme must be https or http".into()),
        };
        let host = uri
            .host()
            .ok_or("no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let addr = self.resolve(&host, port).await?;
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
        tcp.set_nodelay(true).ok();
        if https {
            let name =
                rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| format!("bad host name: {e}"))?;
            let tls = tokio_rustls::TlsConnector::from(client_config())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            handshake(tls, origin).await
        } else {
            handshake(tcp, origin).await
        }
    }

    /// The first address of `host` the deliverer may reach.
    async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, String> {
        let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("cannot resolve `{host}`: {e}"))?
                .collect(),
        };
        addrs
            .iter()
            .find(|a| self.allow_private || is_public(a.ip()))
            .copied()
            .ok_or_else(|| match addrs.first() {
                Some(a) => format!(
                    "`{host}` is {}, a private, loopback or link-local address (allowed only with [webhooks] allow_private)",
                    a.ip()
                ),
                None => format!("`{host}` has no address"),
            })
    }
}

async fn handshake<S>(io: S, origin: String) -> Result<Conn, String>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    let driver = tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(Conn { origin, send, driver })
}

/// Whether the deliverer may reach `ip` without `allow_private`: not
/// loopback, private (RFC 1918, unique local), link-local (the cloud
/// metadata address among them), shared (CGNAT), unspecified, broadcast,
/// multicast or documentation.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// rustls with `ring` and the system's root certificates, made once.
fn client_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let mut roots = rustls::RootCertStore::empty();
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                roots.add(cert).ok();
            }
            if roots.is_empty() {
                tracing::warn!("no root certificates found: https webhook deliveries will fail");
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("ring supports the default versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            Arc::new(config)
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_not_public() {
        for inner in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(inner.parse().unwrap()), "{inner}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
