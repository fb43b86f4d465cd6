//! A throwaway PostgreSQL cluster in a temporary directory on a free port, to stop and start
//! under a running server (never the shared cluster the other tests use).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A cluster of our own; stopped and deleted when dropped.
pub struct Cluster {
    bin: PathBuf,
    root: PathBuf,
    data: PathBuf,
    /// The port it listens on (127.0.0.1).
    pub port: u16,
}

/// The directory of `initdb`, the newest installed, or `None` when PostgreSQL's server programs
/// are not installed.
fn bindir() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    found.sort_by_key(|p| {
        p.parent().and_then(|v| v.file_name()).and_then(|v| v.to_str()).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0)
    });
    found.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A free local port (the listener is closed again; the cluster binds it right after).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Cluster {
    /// Creates and starts a cluster, or returns `None` (after saying why) when `initdb` is not
    /// installed.
    pub fn start() -> Option<Self> {
        let Some(bin) = bindir() else {
            eprintln!("SKIPPED: no /usr/lib/postgresql/*/bin/initdb; install PostgreSQL's server to run the fault tests");
            return None;
        };
        let root = std::env::temp_dir().join(format!("shegong-faults-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&root).expect("temp dir");
        // initdb refuses to run as root: then the cluster belongs to the `postgres` OS user.
        if is_root() {
            run(Command::new("chown").arg("postgres:postgres").arg(&root));
        }
        let data = root.join("data");
        let cluster = Self { bin, data, root, port: free_port() };
        cluster.as_owner(
            "initdb",
            &["-D", &path(&cluster.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
        );
        cluster.pg_ctl_start();
        Some(cluster)
    }

    /// A URL for database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// A URL for database `name` on this cluster as the application's login role, which
    /// `shegong::db::migrate` makes.
    pub fn app_url(&self, name: &str) -> String {
        format!("postgres://shegong_server:shegong_server@127.0.0.1:{}/{name}", self.port)
    }

    /// Starts the (stopped) cluster and waits until it accepts connections.
    pub fn pg_ctl_start(&self) {
        let options = format!("-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off", self.port, path(&self.root));
        let log = path(&self.root.join("postgres.log"));
        self.as_owner("pg_ctl", &["-D", &path(&self.data), "-o", &options, "-l", &log, "-w", "-t", "60", "start"]);
    }

    /// Stops the cluster (fast shutdown: sessions are ended, as when a server is restarted).
    pub fn pg_ctl_stop(&self) {
        self.as_owner("pg_ctl", &["-D", &path(&self.data), "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    fn command(&self, program: &str, args: &[&str]) -> Command {
        let program = self.bin.join(program);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program).args(args);
            c
        } else {
            let mut c = Command::new(program);
            c.args(args);
            c
        }
    }

    fn as_owner(&self, program: &str, args: &[&str]) {
        run(&mut self.command(program, args));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.command("pg_ctl", &["-D", &path(&self.data), "-m", "immediate", "-w", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn path(p: &Path) -> String {
    p.to_str().expect("a UTF-8 temp path").to_owned()
}

fn run(c: &mut Command) -> Output {
    let out = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(
        out.status.success(),
        "{c:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Polls `check` every 50 ms until it returns true or `limit` passes; returns the time it took.
pub async fn within<F, Fut>(limit: Duration, mut check: F) -> Option<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < limit {
        if check().await {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}
