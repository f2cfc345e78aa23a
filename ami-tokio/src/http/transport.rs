//! The HTTP/1.1 exchanges themselves, on hyper: a pool of keep-alive connections to the
//! one configured server (TCP, or TLS through the same rustls setup as the TCP client),
//! requests out, statuses, headers and size-limited bodies in.
//!
//! Several connections can be open at once: a poll waits on one while calls use others.
//! Idle connections are closed after [`IDLE`], before Asterisk's own keep-alive limit
//! (`session_keep_alive`, 15 s by default) would close them under a request.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use http::{Method, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::client::{Error, Io};
use crate::http::config::HttpConfig;
use crate::http::error::HttpError;

/// How long an unused connection stays in the pool.
const IDLE: Duration = Duration::from_secs(10);

/// What came back: status, headers and the whole body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Answer {
    /// The values of header `name`, as bytes.
    pub(crate) fn header_values<'a>(
        &'a self,
        name: &'a HeaderName,
    ) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers.get_all(name).iter().map(HeaderValue::as_bytes)
    }
}

/// One request: method, target (`/rawman?Action=...`), extra headers, form body.
pub(crate) struct Outgoing {
    pub(crate) method: Method,
    pub(crate) target: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    /// A form body (sent with [`ami_http::FORM_CONTENT_TYPE`]).
    pub(crate) form: Option<String>,
}

/// The pool of connections to the server and the limits of what is read.
#[derive(Debug)]
pub(crate) struct Transport {
    client: Client<Connector, Full<Bytes>>,
    /// `http://host:port` or `https://host:port`.
    origin: String,
    max_body: usize,
}

impl Transport {
    pub(crate) fn new(config: &HttpConfig) -> Result<Transport, Error> {
        let authority = config.authority();
        let tls = if config.https {
            let tls = config
                .tls
                .clone()
                .unwrap_or_else(crate::client::TlsConfig::native_roots);
            let (connector, name) = tls.connector(&config.host).map_err(|e| Error::Connect {
                addr: authority.clone(),
                source: Arc::new(e),
            })?;
            Some(Arc::new((connector, name)))
        } else {
            None
        };
        let connector = Connector {
            host: config.host.clone(),
            port: config.port,
            tls,
            connect_timeout: config.connect_timeout,
        };
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE)
            .pool_timer(TokioTimer::new())
            .build(connector);
        let scheme = if config.https { "https" } else { "http" };
        Ok(Transport {
            client,
            origin: format!("{scheme}://{authority}"),
            max_body: config.max_body,
        })
    }

    /// Sends `request` and reads the whole answer.
    pub(crate) async fn send(&self, request: Outgoing) -> Result<Answer, Error> {
        let uri: Uri = format!("{}{}", self.origin, request.target)
            .parse()
            .map_err(|e| Error::Disconnected {
                reason: format!("cannot make a request URI: {e}").into(),
            })?;
        let mut builder = Request::builder().method(request.method).uri(uri);
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        let body = match request.form {
            Some(form) => {
                builder = builder.header(CONTENT_TYPE, ami_http::FORM_CONTENT_TYPE);
                Full::new(Bytes::from(form))
            }
            None => Full::new(Bytes::new()),
        };
        let request = builder.body(body).map_err(|e| Error::Disconnected {
            reason: format!("cannot make the request: {e}").into(),
        })?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| self.request_failed(&e))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, self.max_body)
            .collect()
            .await
            .map_err(|e| {
                if e.downcast_ref::<LengthLimitError>().is_some() {
                    Error::Http(HttpError::BodyTooLarge {
                        limit: self.max_body,
                    })
                } else {
                    Error::Disconnected {
                        reason: format!("reading the reply body failed: {}", chain(&*e)).into(),
                    }
                }
            })?
            .to_bytes();
        Ok(Answer {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    fn request_failed(&self, error: &hyper_util::client::legacy::Error) -> Error {
        let text = chain(error);
        if error.is_connect() {
            // Keep the kind of the IO error the connector returned (refused, timed out).
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
            let mut kind = io::ErrorKind::Other;
            while let Some(e) = source {
                if let Some(io) = e.downcast_ref::<io::Error>() {
                    kind = io.kind();
                    break;
                }
                source = e.source();
            }
            let addr = self.origin.clone();
            return Error::Connect {
                addr,
                source: Arc::new(io::Error::new(kind, text)),
            };
        }
        Error::Disconnected {
            reason: format!("the HTTP request failed: {text}").into(),
        }
    }
}

/// An error and its sources, joined by `: ` (hyper's own messages are terse).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

/// Opens connections to the configured server (whatever host a URI names: the client
/// only ever asks for its own origin).
#[derive(Clone)]
struct Connector {
    host: String,
    port: u16,
    tls: Option<Arc<(TlsConnector, ServerName<'static>)>>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = Stream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let connect = TcpStream::connect((this.host.as_str(), this.port));
            let tcp = tokio::time::timeout(this.connect_timeout, connect)
                .await
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no connection within {:?}", this.connect_timeout),
                    )
                })??;
            // Requests are small and latency matters more than packet count.
            tcp.set_nodelay(true)?;
            let io: Box<dyn Io> = match &this.tls {
                None => Box::new(tcp),
                Some(tls) => {
                    let (connector, name) = &**tls;
                    Box::new(connector.connect(name.clone(), tcp).await?)
                }
            };
            Ok(Stream(TokioIo::new(io)))
        })
    }
}

/// A TCP or TLS connection, as hyper reads and writes it.
struct Stream(TokioIo<Box<dyn Io>>);

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
