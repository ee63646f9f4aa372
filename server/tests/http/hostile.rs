//! The server holds under hostile connections (issue 25): raw loopback
//! clients that send half a head, trickle it, sit idle, fill the
//! connection cap, or send what hyper cannot parse; and requests with
//! made-up ids, two keys or compressed bodies. Time bounds here are
//! generous: they prove that something ends, not how fast.

use crate::support::{Server, start_request};
use serde_json::Value;
use standin::access::Scope::Decide;
use standin_server::Limits;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Long enough that nothing in a test waits for it.
const LONG: Duration = Duration::from_secs(300);
/// What a test grants the server to do what it must.
const BOUND: Duration = Duration::from_secs(30);

/// A raw answer: status, headers (names lowercase) and body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

/// Sends `request` on a fresh connection and reads the answer until the
/// server closes the connection.
fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.set_read_timeout(Some(BOUND)).unwrap();
    sock.write_all(request).unwrap();
    let mut raw = Vec::new();
    let _ = sock.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

/// Whether the server closes `sock` within `bound` (bytes that come
/// first are read and dropped).
fn closed_within(sock: &mut TcpStream, bound: Duration) -> bool {
    sock.set_read_timeout(Some(bound)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match sock.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return false,
            Err(_) => return true,
        }
    }
}

/// A keyed `check/start` of acme, whole, closing the connection after it.
fn keyed_request(server: &Server, extra_headers: &str) -> Vec<u8> {
    let body = serde_json::to_string(&start_request("u-1", "u-2")).unwrap();
    format!(
        "POST /v1/tenants/acme/check/start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        server.key("acme", Decide),
        body.len()
    )
    .into_bytes()
}

fn limits(f: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits {
        header_read_timeout: LONG,
        idle_timeout: LONG,
        drain_timeout: LONG,
        request_timeout: LONG,
        ..Limits::default()
    };
    f(&mut limits);
    limits
}

/// Waits until the server counts at least `n` open connections.
async fn until_open(server: &Server, n: u64) {
    let started = std::time::Instant::now();
    while server.metric("standin_http_connections").await < n {
        assert!(started.elapsed() < BOUND, "the server never saw {n} connections");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_sent_head_does_not_hold_the_shutdown() {
    // The drain deadline and the header timeout are both far away: only
    // closing connections without a request in flight at once lets the
    // server return while this client still holds its half-sent head.
    let mut server = Server::with_limits(limits(|_| {}));
    let mut half = TcpStream::connect(server.addr).unwrap();
    half.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").unwrap();
    // This connection (the metrics scrape's) and the half-sent one.
    until_open(&server, 2).await;
    let returned = tokio::task::block_in_place(|| server.stop_within(BOUND));
    assert!(returned, "serve_on still running {BOUND:?} after the shutdown signal");
    assert!(closed_within(&mut half, BOUND), "the half-sent connection is closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_running_past_the_drain_deadline_is_dropped_and_the_server_returns() {
    // A keyed request whose body never arrives whole: in flight until the
    // request deadline (300 s). The drain deadline (1 s) ends it.
    let mut server = Server::with_limits(limits(|l| l.drain_timeout = Duration::from_secs(1)));
    let mut busy = TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /v1/tenants/acme/check/start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"tenant\": ",
        server.key("acme", Decide)
    );
    busy.write_all(head.as_bytes()).unwrap();
    until_open(&server, 2).await;
    let returned = tokio::task::block_in_place(|| server.stop_within(BOUND));
    assert!(returned, "serve_on still running {BOUND:?} after the shutdown signal");
    assert!(closed_within(&mut busy, BOUND), "the request's connection is dropped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slowloris_head_is_closed_at_the_header_read_timeout() {
    let server = Server::with_limits(limits(|l| l.header_read_timeout = Duration::from_secs(1)));
    let mut sock = TcpStream::connect(server.addr).unwrap();
    sock.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
    // One byte of a header every 100 ms, until the server hangs up.
    let mut writer = sock.try_clone().unwrap();
    let trickle = std::thread::spawn(move || {
        for _ in 0..(BOUND.as_millis() / 100) {
            if writer.write_all(b"X").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let closed = tokio::task::block_in_place(|| closed_within(&mut sock, BOUND));
    assert!(closed, "a head still arriving after {BOUND:?} keeps its connection");
    trickle.join().unwrap();
    assert_eq!(
        server
            .metric(r#"standin_http_connections_dropped_total{reason="header-timeout"}"#)
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_connection_is_closed_at_the_idle_timeout() {
    let server = Server::with_limits(limits(|l| l.idle_timeout = Duration::from_secs(1)));
    let mut sock = TcpStream::connect(server.addr).unwrap();
    sock.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // The answer, then nothing: the connection stays open, idle.
    let mut buf = [0u8; 1024];
    sock.set_read_timeout(Some(BOUND)).unwrap();
    let n = sock.read(&mut buf).unwrap();
    assert!(
        buf[..n].starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    let closed = tokio::task::block_in_place(|| closed_within(&mut sock, BOUND));
    assert!(closed, "an idle connection is kept past {BOUND:?}");
    assert_eq!(
        server
            .metric(r#"standin_http_connections_dropped_total{reason="idle-timeout"}"#)
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_connection_cap_an_idle_connection_makes_way_for_a_keyed_request() {
    const CAP: usize = 8;
    let server = Server::with_limits(limits(|l| l.max_connections = CAP));
    // The cap's worth of connections that send nothing or half a head.
    let mut idle: Vec<TcpStream> = (0..CAP)
        .map(|i| {
            let mut sock = TcpStream::connect(server.addr).unwrap();
            if i % 2 == 1 {
                sock.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").unwrap();
            }
            sock
        })
        .collect();
    let answer = tokio::task::block_in_place(|| exchange(server.addr, &keyed_request(&server, "")));
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json()["decision"], "allow", "{answer:?}");
    // It took the place of one of them: the cap holds.
    let closed = tokio::task::block_in_place(|| {
        idle.iter_mut()
            .map(|s| closed_within(s, Duration::from_millis(200)))
            .filter(|closed| *closed)
            .count()
    });
    assert!(closed >= 1, "no idle connection was closed: the cap did not hold");
    assert!(server.metric("standin_http_connections").await <= CAP as u64);
    assert!(
        server
            .metric(r#"standin_http_connections_dropped_total{reason="evicted"}"#)
            .await
            >= 1
    );
}

#[tokio::test]
async fn a_request_id_over_128_visible_ascii_characters_is_replaced_not_echoed() {
    let server = Server::start();
    let echoed = |id: Vec<(&'static str, String)>| {
        let server = &server;
        async move {
            let mut request = server.http.get(server.url("/healthz"));
            for (name, value) in id {
                request = request.header(name, value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 200);
            let all: Vec<_> = response.headers().get_all("x-request-id").iter().collect();
            assert_eq!(all.len(), 1, "one id on the answer: {all:?}");
            all[0].to_str().unwrap().to_string()
        }
    };
    let fits = "b".repeat(128);
    assert_eq!(echoed(vec![("x-request-id", fits.clone())]).await, fits);
    for refused in [
        vec![("x-request-id", "a".repeat(129))],
        vec![("x-request-id", "a".repeat(90 * 1024))],
        vec![("x-request-id", format!("{}\u{e9}", "a".repeat(10)))],
        vec![("x-request-id", "with space".to_string())],
        vec![("x-request-id", "tab\there".to_string())],
        vec![("x-request-id", "one".to_string()), ("x-request-id", "two".to_string())],
    ] {
        let id = echoed(refused.clone()).await;
        assert!(id.starts_with("r-") && id.len() <= 128, "{refused:?} answered as {id}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_authorization_headers_are_refused_400() {
    let server = Server::start();
    let key = server.key("acme", Decide).to_string();
    let one = tokio::task::block_in_place(|| exchange(server.addr, &keyed_request(&server, "")));
    assert_eq!(one.status, 200, "{one:?}");
    for second in [
        "Authorization: Bearer stn_not_a_key\r\n".to_string(),
        format!("Authorization: Bearer {key}\r\n"),
        "authorization: Basic dTpw\r\n".to_string(),
    ] {
        let answer = tokio::task::block_in_place(|| exchange(server.addr, &keyed_request(&server, &second)));
        assert_eq!(answer.status, 400, "{second}: {answer:?}");
        assert_eq!(answer.json()["error"]["code"], "invalid-request", "{answer:?}");
        assert!(answer.header("x-request-id").is_some(), "{answer:?}");
    }
}

#[tokio::test]
async fn a_request_body_with_a_content_encoding_is_refused_415() {
    let server = Server::start();
    let body = serde_json::to_vec(&start_request("u-1", "u-2")).unwrap();
    let send = |encoding: &'static str| {
        let request = server
            .http
            .post(server.url("/v1/tenants/acme/check/start"))
            .bearer_auth(server.key("acme", Decide))
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(body.clone());
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    for encoding in ["br", "gzip", "identity, gzip", "x-made-up"] {
        let (status, answer) = send(encoding).await;
        assert_eq!(status, 415, "{encoding}: {answer}");
        assert_eq!(answer["error"]["code"], "unsupported-media-type", "{answer}");
    }
    let (status, answer) = send("identity").await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn made_up_reason_codes_share_the_other_label_in_metrics() {
    let server = Server::start();
    let metrics = standin_server::metrics::Metrics::default();
    let deny = |code: &str| {
        standin::Decision::deny(vec![standin::decision::Reason {
            code: code.to_string().into(),
            rule: "X".into(),
            message: String::new(),
        }])
    };
    for i in 0..1000 {
        metrics.decision("acme", "action", &deny(&format!("made-up-{i}")), Duration::ZERO);
    }
    metrics.decision("acme", "action", &deny("forbidden-action"), Duration::ZERO);
    let text = metrics.render(&server.sessions);
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("standin_decisions_total{"))
        .collect();
    assert_eq!(
        series,
        [
            r#"standin_decisions_total{tenant="acme",kind="action",decision="deny",code="forbidden-action"} 1"#,
            r#"standin_decisions_total{tenant="acme",kind="action",decision="deny",code="other"} 1000"#,
        ],
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_of_the_http_layer_are_json_with_a_request_id() {
    let server = Server::start();
    let many_headers: String = (0..101).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<(Vec<u8>, u16)> = vec![
        // Bad framing: hyper answers before any route.
        (
            b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".to_vec(),
            400,
        ),
        (
            b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n".to_vec(),
            400,
        ),
        // Too many headers: hyper's 431.
        (
            format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n").into_bytes(),
            431,
        ),
        // A head over 64 KiB (hyper may read it whole in one go).
        (
            format!(
                "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: {}\r\nConnection: close\r\n\r\n",
                "a".repeat(90 * 1024)
            )
            .into_bytes(),
            431,
        ),
        // A target over 8 KiB.
        (
            format!(
                "GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "a".repeat(9000)
            )
            .into_bytes(),
            414,
        ),
    ];
    for (request, status) in cases {
        let answer = tokio::task::block_in_place(|| exchange(server.addr, &request));
        assert_eq!(answer.status, status, "{answer:?}");
        assert_eq!(answer.header("content-type"), Some("application/json"), "{answer:?}");
        assert_eq!(answer.json()["error"]["code"], "invalid-request", "{answer:?}");
        let id = answer
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no id: {answer:?}"));
        assert!(id.starts_with("r-"), "{answer:?}");
    }
    // A chunked body whose framing breaks: the route answers.
    let key = server.key("acme", Decide);
    let broken = format!(
        "POST /v1/tenants/acme/check/start HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
    );
    let answer = tokio::task::block_in_place(|| exchange(server.addr, broken.as_bytes()));
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(answer.json()["error"]["code"], "invalid-request", "{answer:?}");
    assert!(answer.header("x-request-id").is_some(), "{answer:?}");
}
