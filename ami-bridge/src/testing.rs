//! A throwaway `nats-server` with JetStream, for tests and benchmarks of the bridge and
//! of its consumers: a real server (Debian's `nats-server` package, or any on `PATH`),
//! never a mock.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `nats-server -js -sd <dir> -a 127.0.0.1 -p <port>`, started on a free port with its
/// store in a fresh directory, killed (and the directory removed) when dropped.
///
/// ```no_run
/// let mut nats = ami_bridge::testing::NatsServer::start().unwrap();
/// println!("connect to {}", nats.url());
/// nats.kill();              // as a crash would: SIGKILL
/// nats.restart().unwrap();  // same port, same store
/// ```
#[derive(Debug)]
pub struct NatsServer {
    child: Option<Child>,
    port: u16,
    store: PathBuf,
}

impl NatsServer {
    /// Starts the server and waits until it accepts connections. Fails with a message
    /// saying how to install it when `nats-server` is not found.
    pub fn start() -> io::Result<NatsServer> {
        let store = fresh_dir()?;
        let port = free_port()?;
        let mut server = NatsServer {
            child: None,
            port,
            store,
        };
        server.spawn()?;
        Ok(server)
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The server's process ID (none while it is killed).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The JetStream store directory.
    pub fn store(&self) -> &Path {
        &self.store
    }

    /// Kills the server (SIGKILL: nothing is flushed or said to clients) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port with the same store (killing it first if it
    /// runs), and waits until it accepts connections.
    pub fn restart(&mut self) -> io::Result<()> {
        self.kill();
        self.spawn()
    }

    fn spawn(&mut self) -> io::Result<()> {
        let child = Command::new("nats-server")
            .arg("-js")
            .arg("-sd")
            .arg(&self.store)
            .args(["-a", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot run nats-server ({e}): install it, e.g. `apt-get install -y nats-server`"),
                )
            })?;
        self.child = Some(child);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(io::Error::other(format!(
                    "nats-server exited at once ({status}); is port {} taken?",
                    self.port
                )));
            }
            if Instant::now() > deadline {
                self.kill();
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "nats-server did not listen within 20 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

/// A port nothing listens on now (the OS's pick for port 0).
fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// A new directory under the system's temporary directory.
fn fresh_dir() -> io::Result<PathBuf> {
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "ami-bridge-nats-{}-{n}-{:x}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
