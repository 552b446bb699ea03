//! What the service knows about the other end of a connection, for handlers: its address and,
//! over mutual TLS, the client certificate rustls verified during the handshake. Axum puts it in
//! every request of the connection as the extension `ConnectInfo<Peer>`.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::extract::connect_info::Connected;
use axum::http::request::Parts;
use axum::serve::IncomingStream;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use super::listener::TlsListener;

/// The remote end of a connection.
#[derive(Debug, Clone)]
pub struct Peer {
    pub remote: SocketAddr,
    /// The client's verified end-entity certificate, when it presented one over TLS.
    pub client_certificate: Option<Arc<ClientCertificate>>,
}

/// A client certificate that verified against `tls.client_ca` (the end-entity certificate, the
/// first of the chain the client sent, RFC 8446 section 4.4.2).
#[derive(Clone)]
pub struct ClientCertificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
    /// SHA-256 of `der`: the fingerprint principals are bound to.
    pub sha256: [u8; 32],
}

impl ClientCertificate {
    pub fn new(der: &[u8]) -> Self {
        Self {
            der: der.to_vec(),
            sha256: Sha256::digest(der).into(),
        }
    }

    /// The fingerprint in lower-case hex (as `openssl x509 -fingerprint -sha256`, without colons).
    pub fn fingerprint(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The subject distinguished name (RFC 4514).
    pub fn subject(&self) -> String {
        super::subject(&self.der)
    }
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("sha256", &self.fingerprint())
            .field("subject", &self.subject())
            .finish()
    }
}

/// The verified client certificate of the connection a request came on, if any.
pub fn client_certificate(parts: &Parts) -> Option<Arc<ClientCertificate>> {
    parts
        .extensions
        .get::<ConnectInfo<Peer>>()
        .and_then(|ConnectInfo(peer)| peer.client_certificate.clone())
}

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Self {
            remote: *stream.remote_addr(),
            client_certificate: None,
        }
    }
}

impl Connected<IncomingStream<'_, TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TlsListener>) -> Self {
        let (_, connection) = stream.io().get_ref();
        // rustls exposes peer certificates only once its verifier accepted them.
        let client_certificate = connection
            .peer_certificates()
            .and_then(|chain| chain.first())
            .map(|leaf| Arc::new(ClientCertificate::new(leaf.as_ref())));
        Self {
            remote: *stream.remote_addr(),
            client_certificate,
        }
    }
}
