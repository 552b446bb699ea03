//! A minimal HTTP/1.1 server on 127.0.0.1 (one request per connection, `Connection: close`),
//! started by a test on a free port: it serves a test TSA over RFC 3161 section 3.4, or answers
//! the ways a broken TSA does.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use firma_ades::tsp::authority::TimestampAuthority;

/// How the server answers.
#[derive(Clone)]
pub enum Mode {
    /// A TSA: POST of `application/timestamp-query` answered by the authority as
    /// `application/timestamp-reply`; with `basic`, the `Authorization` header must be exactly it.
    Tsa {
        authority: Arc<TimestampAuthority>,
        basic: Option<String>,
    },
    /// Always this status, content type and body.
    Fixed {
        status: u16,
        content_type: &'static str,
        body: Vec<u8>,
        extra_header: Option<&'static str>,
    },
    /// Reads the request and never answers.
    Silent,
}

/// What a request carried.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
        let addr = listener.local_addr().expect("address");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let (stop, requests) = (stop.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (mode, stop, requests) = (mode.clone(), stop.clone(), requests.clone());
                    std::thread::spawn(move || serve(stream, &mode, &stop, &requests));
                }
            })
        };
        Self {
            addr,
            stop,
            requests,
            acceptor: Some(acceptor),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor.
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.acceptor.take() {
            let _ = h.join();
        }
    }
}

/// A URL on which nothing listens: a port that was free a moment ago.
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    format!("http://{addr}/tsa")
}

fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 16 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let method = lines.next()?.split(' ').next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0)
        .min(64 * 1024);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        headers,
        body,
    })
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    extra_header: Option<&str>,
    body: &[u8],
) {
    let reason = match status {
        200 => "OK",
        307 => "Temporary Redirect",
        401 => "Unauthorized",
        405 => "Method Not Allowed",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let extra = extra_header.map(|h| format!("{h}\r\n")).unwrap_or_default();
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn serve(mut stream: TcpStream, mode: &Mode, stop: &AtomicBool, requests: &Mutex<Vec<Recorded>>) {
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    requests.lock().unwrap().push(request.clone());
    match mode {
        Mode::Silent => {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Mode::Fixed {
            status,
            content_type,
            body,
            extra_header,
        } => respond(&mut stream, *status, content_type, *extra_header, body),
        Mode::Tsa { authority, basic } => {
            let text = |s: &str| s.as_bytes().to_vec();
            if request.method != "POST" {
                respond(&mut stream, 405, "text/plain", None, &text("POST only"));
            } else if request.header("content-type") != Some("application/timestamp-query") {
                respond(&mut stream, 415, "text/plain", None, &text("not a query"));
            } else if basic.is_some() && request.header("authorization") != basic.as_deref() {
                respond(
                    &mut stream,
                    401,
                    "text/plain",
                    Some("WWW-Authenticate: Basic realm=\"tsa\""),
                    &text("credentials required"),
                );
            } else {
                let reply = authority.respond(&request.body);
                respond(
                    &mut stream,
                    200,
                    "application/timestamp-reply",
                    None,
                    &reply,
                );
            }
        }
    }
}
