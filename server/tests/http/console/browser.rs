//! A real headless Chromium, driven over WebDriver by `chromedriver` (both
//! Debian's), for the console's tests. Without them the tests are skipped
//! with a note, unless `STANDIN_REQUIRE_BROWSER=1` (CI) makes that a
//! failure. With `STANDIN_SCREENSHOTS=DIR`, pages are saved there as PNG.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Where the browser saves downloads (in `scratch`).
    pub downloads: std::path::PathBuf,
    /// The driver's and the browser's `TMPDIR`: their profile and scoped
    /// folders, which a browser that is killed leaves behind, go with it.
    _scratch: tempfile::TempDir,
}

fn find(names: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate.to_string_lossy().into_owned());
            }
        }
    }
    None
}

impl Browser {
    /// A fresh browser, or `None` (skipped) where there is none.
    pub async fn start() -> Option<Self> {
        Self::start_with(&[]).await
    }

    /// [`Self::start`] with the page in dark mode (`prefers-color-scheme:
    /// dark`), as a user whose system is dark sees the console.
    pub async fn start_dark() -> Option<Self> {
        Self::start_with(&["--force-dark-mode"]).await
    }

    async fn start_with(extra: &[&str]) -> Option<Self> {
        let (Some(driver), Some(chromium)) = (
            find(&["chromedriver"]),
            find(&["chromium", "chromium-browser", "google-chrome"]),
        ) else {
            assert!(
                std::env::var("STANDIN_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "no chromium and chromedriver, and STANDIN_REQUIRE_BROWSER=1"
            );
            eprintln!("skipped: no chromium and chromedriver on PATH (apt-get install chromium chromium-driver)");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let scratch = tempfile::tempdir().expect("scratch dir");
        let downloads = scratch.path().join("downloads");
        std::fs::create_dir(&downloads).expect("download dir");
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", scratch.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut caps = serde_json::Map::new();
        let args: Vec<&str> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
            "--lang=en-US",
        ]
        .into_iter()
        .chain(extra.iter().copied())
        .collect();
        caps.insert(
            "goog:chromeOptions".to_string(),
            json!({
                "binary": chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": downloads,
                    "download.prompt_for_download": false,
                },
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Self {
                        client,
                        driver,
                        downloads,
                        _scratch: scratch,
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer: {last:?}");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn wait(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
    }

    /// Waits (up to 10 s) until `script` (a function body) returns true.
    pub async fn until(&self, what: &str, script: &str) {
        for _ in 0..100 {
            if self.run(script).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never true: {what}");
    }

    /// Runs `script` (a function body) in the page; what it returns.
    pub async fn run(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.expect("script runs")
    }

    /// Types `text` into the field `css`, replacing what it held.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait(css).await;
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Clicks `css`; found again when a page re-rendered it between
    /// finding and clicking (a list that reloads).
    pub async fn click(&self, css: &str) {
        for attempt in 0.. {
            match self.wait(css).await.click().await {
                Ok(()) => return,
                Err(e) if attempt < 10 && format!("{e:?}").contains("StaleElementReference") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click `{css}`: {e:?}"),
            }
        }
    }

    /// The text of `css`.
    pub async fn text(&self, css: &str) -> String {
        self.wait(css).await.text().await.expect("text")
    }

    /// Waits (up to 10 s) for the download `name` to be complete; its text.
    pub async fn downloaded(&self, name: &str) -> String {
        // Chromium makes the file empty under its final name first, to
        // keep the name, and writes the bytes to `NAME.crdownload`, renamed
        // over it when done: an empty file is not the download yet.
        let path = self.downloads.join(name);
        let partial = self.downloads.join(format!("{name}.crdownload"));
        for _ in 0..100 {
            if let Ok(text) = std::fs::read_to_string(&path)
                && !text.is_empty()
                && !partial.exists()
            {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no download `{name}`, or an empty one");
    }

    /// Saves the page as `name`.png under `STANDIN_SCREENSHOTS`, if set.
    pub async fn screenshot(&self, name: &str) {
        if let Some(dir) = std::env::var_os("STANDIN_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).expect("save");
        }
    }

    /// The accessibility problems axe-core finds on the page as it is now
    /// (WCAG 2.1 A and AA), one line each: rule, impact, where. Empty when
    /// there are none, or when axe-core is not installed
    /// (`server/tests/console-a11y`, `npm ci`) and the check is not
    /// required (`STANDIN_REQUIRE_BROWSER=1` requires it).
    pub async fn accessibility(&self) -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/console-a11y/node_modules/axe-core/axe.min.js"
        );
        let Ok(axe) = std::fs::read_to_string(path) else {
            assert!(
                std::env::var("STANDIN_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "no axe-core at {path} (npm ci in server/tests/console-a11y), and STANDIN_REQUIRE_BROWSER=1"
            );
            eprintln!("accessibility check skipped: no {path}");
            return Vec::new();
        };
        // Injected by the driver, which the page's CSP does not govern.
        self.client
            .execute(&format!("{axe}\nreturn true;"), Vec::new())
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})\
                   .then((r) => done(r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)))\
                   .catch((e) => done([`axe failed: ${e}`]));",
                Vec::new(),
            )
            .await
            .expect("axe-core runs");
        serde_json::from_value(found).unwrap_or_else(|e| vec![format!("axe's answer: {e}")])
    }

    /// Resizes the window (a phone: 375 wide).
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resize");
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
