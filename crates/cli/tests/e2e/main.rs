//! End-to-end tests: the real `ddhub` binary, started on port 0 with a temporary data dir.
#![allow(clippy::unwrap_used)]

mod backup;
mod browser;
mod buyer_browser;
mod cli;
mod crash;
mod glossary;
mod measured_browser;
mod partners_guide;
mod scaleout;
mod serve;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An HTTP client (with the process's TLS provider installed, as the binary does).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub fn ddhub(data_dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ddhub"));
    c.env("DDHUB_DATA_DIR", data_dir)
        .env("DDHUB_LISTEN", "127.0.0.1:0")
        .env("DDHUB_LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .env_remove("DDHUB_DATABASE_URL")
        .env_remove("DDHUB_CONFIG")
        // No ddhub.toml from the developer's working directory.
        .current_dir(data_dir.parent().unwrap_or(data_dir));
    c
}

/// A running `ddhub serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    pub fn start(data_dir: &Path) -> Server {
        Self::start_with(ddhub(data_dir).arg("serve"))
    }

    pub fn start_with(cmd: &mut Command) -> Server {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("ddhub exited before listening")
                .unwrap();
            if let Some(url) = line.strip_prefix("ddhub listening on ") {
                break url.trim().to_string();
            }
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    pub async fn wait_ready(&self, client: &reqwest::Client) -> Duration {
        let start = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status() == 200
            {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "never became ready"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, and the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let start = Instant::now();
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
