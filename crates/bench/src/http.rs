//! A minimal keep-alive HTTP/1.1 client for loopback measurements.

use anyhow::{Context, bail};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

pub struct Client {
    reader: BufReader<TcpStream>,
    port: u16,
}

pub struct Response {
    pub status: u16,
    pub server_ms: Option<f64>,
    pub body_len: usize,
    /// The body, for the calls that keep it (`get_text`, `call`); empty otherwise.
    pub body: Vec<u8>,
    /// Every header, names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The value the answer sets the cookie `name` to.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .find_map(|(_, v)| v.split(';').next()?.strip_prefix(name)?.strip_prefix('='))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Client {
    pub fn connect(port: u16) -> anyhow::Result<Client> {
        Client::on(TcpStream::connect(("127.0.0.1", port))?, port)
    }

    /// A connection from another loopback address (127.0.0.0/8 is all
    /// loopback), so that the server's per-address limits count this
    /// client apart from the others on the machine.
    pub fn connect_from(port: u16, source: IpAddr) -> anyhow::Result<Client> {
        Client::on(connect_from(port, source)?, port)
    }

    fn on(stream: TcpStream, port: u16) -> anyhow::Result<Client> {
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Client {
            reader: BufReader::new(stream),
            port,
        })
    }

    pub fn get(&mut self, path: &str) -> anyhow::Result<Response> {
        self.send("GET", path, &[], b"", false)
    }

    /// Posts a urlencoded form as if through a proxy that saw `client`.
    pub fn post_form(&mut self, path: &str, form: &str, client: &str) -> anyhow::Result<Response> {
        self.send(
            "POST",
            path,
            &[
                ("X-Forwarded-For", client),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
            false,
        )
    }

    /// Any request, its answer's body kept (API calls).
    pub fn call(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> anyhow::Result<Response> {
        self.send(method, path, headers, body, true)
    }

    /// A page's text, for reading form tokens out of it.
    pub fn get_text(&mut self, path: &str) -> anyhow::Result<String> {
        let r = self.send("GET", path, &[], b"", true)?;
        if r.status != 200 {
            bail!("{path} answered {}", r.status);
        }
        Ok(String::from_utf8_lossy(&r.body).into_owned())
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        keep_body: bool,
    ) -> anyhow::Result<Response> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
            self.port
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if method != "GET" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        // One write, so that a request leaves in one segment.
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.reader.get_mut().write_all(&request)?;
        self.read_response(keep_body)
    }

    fn read_response(&mut self, keep_body: bool) -> anyhow::Result<Response> {
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line.split(' ').nth(1).context("status line")?.parse()?;
        let mut length = None;
        let mut server_ms = None;
        let mut chunked = false;
        let mut headers = Vec::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("connection closed");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>()?);
            } else if name.eq_ignore_ascii_case("server-timing") {
                server_ms = value
                    .split("dur=")
                    .nth(1)
                    .and_then(|v| v.split(';').next()?.parse().ok());
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            }
            headers.push((name.to_ascii_lowercase(), value.to_string()));
        }
        let body = if chunked {
            self.read_chunks()?
        } else {
            let length = length.context("content-length")?;
            let mut body = vec![0; length];
            self.reader.read_exact(&mut body)?;
            body
        };
        let length = body.len();
        Ok(Response {
            status,
            server_ms,
            body_len: length,
            body: if keep_body { body } else { Vec::new() },
            headers,
        })
    }

    /// A body sent in chunks (streamed responses such as sitemaps).
    fn read_chunks(&mut self) -> anyhow::Result<Vec<u8>> {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .context("chunk size")?;
            let start = body.len();
            body.resize(start + size, 0);
            self.reader.read_exact(&mut body[start..])?;
            line.clear();
            self.reader.read_line(&mut line)?;
            if size == 0 {
                return Ok(body);
            }
        }
    }
}

/// A TCP connection to the loopback server from `source`.
pub fn connect_from(port: u16, source: IpAddr) -> anyhow::Result<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.bind(&SocketAddr::new(source, 0).into())?;
    socket.connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    Ok(socket.into())
}

/// `application/x-www-form-urlencoded` escaping of one value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
