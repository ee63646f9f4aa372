//! `standin serve`'s settings: defaults, then the TOML file, then flags and
//! environment; and the base URL AuthZEN discovery gives out.

use crate::support::Server;
use standin_server::config::{Config, ConfigError, FileConfig, Overrides};
use std::time::Duration;

fn file(text: &str) -> Result<FileConfig, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("standin.toml");
    std::fs::write(&path, text).unwrap();
    FileConfig::read(&path)
}

#[test]
fn flags_win_over_the_file_which_wins_over_defaults() {
    let f = file(
        r#"
listen = "0.0.0.0:9000"
db = "/var/lib/standin.db"
public_url = "https://pdp.example.com/"
builtin_fallback = true
log = "text"
[limits]
max_body_bytes = 1024
request_timeout_ms = 250
"#,
    )
    .unwrap();
    let over = Overrides {
        listen: Some("127.0.0.1:7000".parse().unwrap()),
        ..Overrides::default()
    };
    let c = Config::merge(f, over).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:7000", "the flag wins");
    assert_eq!(
        c.db.to_str(),
        Some("/var/lib/standin.db"),
        "the file wins over the default"
    );
    assert!(c.builtin_fallback);
    assert_eq!(c.limits.max_body_bytes, 1024);
    assert_eq!(c.limits.request_timeout, Duration::from_millis(250));
    assert_eq!(
        c.limits.slow_request_timeout,
        Duration::from_secs(120),
        "a default kept"
    );
    let d = Config::merge(FileConfig::default(), Overrides::default()).unwrap();
    assert_eq!(
        (d.listen.to_string().as_str(), d.db.to_str()),
        ("127.0.0.1:8080", Some("standin.db"))
    );
}

#[test]
fn connection_limits_come_from_the_file_with_defaults_and_zero_is_refused() {
    let d = Config::merge(FileConfig::default(), Overrides::default()).unwrap();
    assert_eq!(
        (
            d.limits.header_read_timeout,
            d.limits.idle_timeout,
            d.limits.max_connections,
            d.limits.drain_timeout,
        ),
        (
            Duration::from_secs(10),
            Duration::from_secs(60),
            10_000,
            Duration::from_secs(10),
        )
    );
    let f = file(
        "[limits]\nheader_read_timeout_ms = 2000\nidle_timeout_ms = 5000\nmax_connections = 50\ndrain_timeout_ms = 0\n",
    )
    .unwrap();
    let c = Config::merge(f, Overrides::default()).unwrap();
    assert_eq!(c.limits.header_read_timeout, Duration::from_secs(2));
    assert_eq!(c.limits.idle_timeout, Duration::from_secs(5));
    assert_eq!(c.limits.max_connections, 50);
    assert_eq!(
        c.limits.drain_timeout,
        Duration::ZERO,
        "0: no wait for requests in flight"
    );
    for zero in ["header_read_timeout_ms", "idle_timeout_ms", "max_connections"] {
        let f = file(&format!("[limits]\n{zero} = 0\n")).unwrap();
        let e = Config::merge(f, Overrides::default()).unwrap_err();
        assert!(e.to_string().contains(zero), "{e}");
    }
}

#[test]
fn a_misspelt_setting_or_half_a_tls_pair_is_refused() {
    let e = file("listne = \"127.0.0.1:1\"").unwrap_err();
    assert!(e.to_string().contains("listne"), "{e}");
    let over = Overrides {
        tls_cert: Some("cert.pem".into()),
        ..Overrides::default()
    };
    assert!(matches!(
        Config::merge(FileConfig::default(), over),
        Err(ConfigError::HalfTls)
    ));
}

#[test]
fn checkpoint_settings_go_together_and_take_s_m_or_h() {
    use standin_server::config::{Checkpoints, parse_every};
    let f = file(
        "checkpoint_key = \"/etc/standin/checkpoint.key\"\ncheckpoint_every = \"15m\"\ncheckpoint_dir = \"/var/lib/standin/checkpoints\"\n",
    )
    .unwrap();
    let c = Config::merge(f.clone(), Overrides::default()).unwrap();
    assert_eq!(
        c.checkpoints,
        Some(Checkpoints {
            key: "/etc/standin/checkpoint.key".into(),
            every: Duration::from_secs(900),
            dir: "/var/lib/standin/checkpoints".into(),
        })
    );
    let over = Overrides {
        checkpoint_every: Some(Duration::from_secs(30)),
        ..Overrides::default()
    };
    let c = Config::merge(f, over).unwrap();
    assert_eq!(
        c.checkpoints.map(|c| c.every),
        Some(Duration::from_secs(30)),
        "the flag wins"
    );
    assert_eq!(
        Config::merge(FileConfig::default(), Overrides::default())
            .unwrap()
            .checkpoints,
        None,
        "none by default"
    );
    let half = Overrides {
        checkpoint_every: Some(Duration::from_secs(30)),
        checkpoint_dir: Some("ckpt".into()),
        ..Overrides::default()
    };
    assert!(matches!(
        Config::merge(FileConfig::default(), half),
        Err(ConfigError::HalfCheckpoints)
    ));
    let f = file("checkpoint_key = \"k\"\ncheckpoint_every = \"15\"\ncheckpoint_dir = \"d\"\n").unwrap();
    let e = Config::merge(f, Overrides::default()).unwrap_err();
    assert!(e.to_string().contains("checkpoint_every"), "{e}");

    for (text, secs) in [("30s", 30), ("15m", 900), ("1h", 3600), ("8760h", 8760 * 3600)] {
        assert_eq!(parse_every(text), Ok(Duration::from_secs(secs)), "{text}");
    }
    for bad in [
        "",
        "s",
        "0s",
        "15",
        "1d",
        "-1s",
        "1.5h",
        " 1h",
        "1 h",
        "8761h",
        "99999999999999999999h",
    ] {
        assert!(parse_every(bad).is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn discovery_uses_the_public_url_when_one_is_set() {
    let server = Server::start();
    let state = standin_server::AppState::new(server.sessions.clone(), Default::default())
        .with_public_url(Some("https://pdp.example.com/".to_string()));
    let app = standin_server::router(state);
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = tcp.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(tcp, app).await });
    let meta: serde_json::Value = reqwest::get(format!("http://{addr}/.well-known/authzen-configuration/acme"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(meta["policy_decision_point"], "https://pdp.example.com/acme");
    assert_eq!(
        meta["access_evaluation_endpoint"],
        "https://pdp.example.com/v1/tenants/acme/access/v1/evaluation"
    );
}
