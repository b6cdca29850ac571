//! A loopback peer in front of a real endpoint that answers the first N calls of chosen IAM
//! actions with the error AWS gives while IAM propagates, and relays everything else.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// An IAM error to answer with: action, HTTP status, code and message.
#[derive(Debug, Clone)]
pub struct Fault {
    pub action: &'static str,
    pub status: u16,
    pub code: &'static str,
    pub message: &'static str,
    pub times: usize,
}

#[derive(Debug)]
pub struct FaultyPeer {
    pub endpoint: String,
    /// How many calls of each action the peer has seen.
    pub calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl FaultyPeer {
    pub fn start(upstream: &str, faults: Vec<Fault>) -> FaultyPeer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let calls = Arc::new(Mutex::new(BTreeMap::new()));
        let remaining = Arc::new(Mutex::new(faults));
        let seen = Arc::clone(&calls);
        // The thread ends with the test process; it holds nothing the test must release.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let seen = Arc::clone(&seen);
                let remaining = Arc::clone(&remaining);
                std::thread::spawn(move || serve(stream, &upstream, &seen, &remaining));
            }
        });
        FaultyPeer { endpoint, calls }
    }

    pub fn calls(&self, action: &str) -> usize {
        self.calls.lock().unwrap().get(action).copied().unwrap_or(0)
    }
}

/// One request per connection: the peer closes after answering, so the client reconnects.
fn serve(
    stream: TcpStream,
    upstream: &str,
    seen: &Mutex<BTreeMap<String, usize>>,
    remaining: &Mutex<Vec<Fault>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
        // Connection is not a signed header, so asking the upstream to close is safe.
        if !line.to_ascii_lowercase().starts_with("connection:") {
            head.extend_from_slice(line.as_bytes());
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let text = String::from_utf8_lossy(&body);
    let action = text
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .unwrap_or_default()
        .to_string();
    *seen.lock().unwrap().entry(action.clone()).or_default() += 1;
    let fault = {
        let mut faults = remaining.lock().unwrap();
        faults
            .iter_mut()
            .find(|fault| fault.action == action && fault.times > 0)
            .map(|fault| {
                fault.times -= 1;
                fault.clone()
            })
    };
    let mut client = stream;
    if let Some(fault) = fault {
        let xml = format!(
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>faulty-peer</RequestId></ErrorResponse>",
            fault.code, fault.message
        );
        let response = format!(
            "HTTP/1.1 {} Error\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            fault.status,
            xml.len()
        );
        let _ = client.write_all(response.as_bytes());
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    head.extend_from_slice(b"Connection: close\r\n\r\n");
    head.extend_from_slice(&body);
    if server.write_all(&head).is_err() {
        return;
    }
    let mut response = Vec::new();
    let _ = server.read_to_end(&mut response);
    let _ = client.write_all(&response);
}
