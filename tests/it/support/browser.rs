//! A headless Chromium driven over WebDriver (Debian's `chromium` and `chromium-driver`, which
//! `scripts/test` installs): chromedriver on a free port, one browser session per test.

use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    pub client: Client,
    driver: Child,
}

impl Browser {
    /// Starts chromedriver and a headless browser session (light or dark colour scheme).
    pub async fn start(dark: bool) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; scripts/test installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ];
        if dark {
            args.push("--force-dark-mode");
            args.push("--blink-settings=preferredColorScheme=0");
        }
        let mut chrome = serde_json::json!({"args": args});
        if std::path::Path::new("/usr/bin/chromium").exists() {
            chrome["binary"] = "/usr/bin/chromium".into();
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), chrome);
        let started = Instant::now();
        let client = loop {
            let built =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await;
            match built {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        // Finding an element waits up to 5 s for it to appear (pages load after clicks).
        let waits =
            fantoccini::wd::TimeoutConfiguration::new(None, None, Some(Duration::from_secs(5)));
        client.update_timeouts(waits).await.expect("timeouts");
        Browser { client, driver }
    }

    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
    }

    /// The text of the first element matching `css` (waiting for it to appear).
    pub async fn text(&self, css: &str) -> String {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.text().await.unwrap()
    }

    /// The texts of every element matching `css`.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self.client.find_all(Locator::Css(css)).await.unwrap() {
            out.push(e.text().await.unwrap());
        }
        out
    }

    /// Replaces the value of the input matching `css`.
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    pub async fn click(&self, locator: Locator<'_>) {
        let e = self
            .client
            .find(locator)
            .await
            .unwrap_or_else(|e| panic!("{locator:?}: {e}"));
        e.click().await.unwrap();
    }

    /// Waits (up to 5 s) until the current URL satisfies `ok`: a click's navigation completes
    /// after the click returns.
    pub async fn wait_url(&self, ok: impl Fn(&url::Url) -> bool) -> url::Url {
        for _ in 0..50 {
            let at = self.client.current_url().await.unwrap();
            if ok(&at) {
                return at;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "still at {}: {}",
            self.client.current_url().await.unwrap(),
            self.text("main").await
        );
    }

    /// Saves a screenshot as a test artefact under `target/screenshots/`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
