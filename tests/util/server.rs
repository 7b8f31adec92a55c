//! A tiny HTTP/1.1 server on 127.0.0.1 serving canned responses, with the faults the HTTP seam must
//! survive (slow, oversized, redirect loops, HTML, invalid JSON, error statuses). One thread
//! accepts; each connection gets its own thread and is closed after one response. Stops on drop.
//!
//! Bodies may contain `{{base}}`, replaced by the server's own `http://127.0.0.1:PORT` when
//! served, so fixtures can name themselves as issuer.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A canned response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before sending anything (the "slow" fault).
    pub delay: Duration,
    /// Send the body chunked, without Content-Length (so only the streaming cap can catch it).
    pub chunked: bool,
}

impl Reply {
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            chunked: false,
        }
    }
    pub fn json(body: impl Into<Vec<u8>>) -> Self {
        Self::new(200, "application/json", body)
    }
    pub fn html(body: &str) -> Self {
        Self::new(200, "text/html; charset=utf-8", body)
    }
    pub fn status(status: u16) -> Self {
        Self::new(status, "text/plain", format!("status {status}"))
    }
    pub fn redirect(location: &str) -> Self {
        Self::new(302, "text/plain", "").header("Location", location)
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

/// One request the server saw: path and headers (names lowercased).
#[derive(Debug, Clone)]
pub struct SeenRequest {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

type Routes = Arc<Mutex<HashMap<String, Reply>>>;

pub struct TestServer {
    addr: SocketAddr,
    routes: Routes,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Starts serving `routes` (path → reply); unknown paths get 404.
    pub fn start(routes: impl IntoIterator<Item = (&'static str, Reply)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let routes: Routes = Arc::new(Mutex::new(
            routes.into_iter().map(|(p, r)| (p.to_owned(), r)).collect(),
        ));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (routes, seen, stop) = (routes.clone(), seen.clone(), stop.clone());
            let base = format!("http://{addr}");
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (routes, seen, base) = (routes.clone(), seen.clone(), base.clone());
                    std::thread::spawn(move || {
                        let _ = serve(stream, &routes, &seen, &base);
                    });
                }
            })
        };
        TestServer {
            addr,
            routes,
            seen,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `base()` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    /// Adds or replaces a route while running.
    pub fn set(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_owned(), reply);
    }

    /// Requests seen so far.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests asked for `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.requests().iter().filter(|r| r.path == path).count()
    }

    /// Makes this server the HTTP(S) proxy of `command` (every proxy variable, no `NO_PROXY`).
    /// A proxied plain-http request arrives with the absolute URL as its path, so routes named
    /// `http://idp.example.test/…` answer for a host that never resolves: remote URLs are tested
    /// without leaving the machine.
    pub fn proxy_for<'c>(
        &self,
        command: &'c mut std::process::Command,
    ) -> &'c mut std::process::Command {
        for name in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
        ] {
            command.env(name, self.base());
        }
        command.env_remove("NO_PROXY").env_remove("no_proxy")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the acceptor so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    routes: &Routes,
    seen: &Mutex<Vec<SeenRequest>>,
    base: &str,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // the drop's wake-up connection
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = line.trim_end().split_once(':') {
            headers.push((n.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let has_authorization = headers.iter().any(|(n, _)| n == "authorization");
    seen.lock().unwrap().push(SeenRequest {
        path: path.clone(),
        headers,
    });
    // A route named `<path> [authorization]` answers requests that carry an Authorization
    // header (client_secret_basic), the plain `<path>` the others.
    let reply = {
        let routes = routes.lock().unwrap();
        (routes.get(&format!("{path} [authorization]")))
            .filter(|_| has_authorization)
            .or_else(|| routes.get(&path))
            .cloned()
            .unwrap_or_else(|| Reply::status(404))
    };
    if !reply.delay.is_zero() {
        std::thread::sleep(reply.delay);
    }
    let body = String::from_utf8(reply.body.clone())
        .map(|s| s.replace("{{base}}", base).into_bytes())
        .unwrap_or(reply.body);
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} Canned\r\nConnection: close\r\n", reply.status);
    for (n, v) in &reply.headers {
        head.push_str(&format!("{n}: {}\r\n", v.replace("{{base}}", base)));
    }
    if reply.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        out.write_all(head.as_bytes())?;
        for chunk in body.chunks(64 * 1024) {
            out.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
            out.write_all(chunk)?;
            out.write_all(b"\r\n")?;
        }
        out.write_all(b"0\r\n\r\n")?;
    } else {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        out.write_all(head.as_bytes())?;
        out.write_all(&body)?;
    }
    out.flush()
}
