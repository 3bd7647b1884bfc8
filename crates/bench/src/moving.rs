//! Moving a site in and out at news-site scale: a generated WordPress
//! export (50,000 posts and 200,000 comments by default) imported with the
//! real `bbn import wordpress`, imported again (everything unchanged), then
//! `bbn export` and `bbn import json` into an empty site and a second export
//! compared byte for byte. Each step's wall time and the bbn process's peak
//! resident memory (VmHWM, sampled from /proc) are printed.

use crate::BackendArg;
use anyhow::{Context, bail};
use bbn_store::Store;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 50_000)]
    posts: usize,
    #[arg(long, default_value_t = 200_000)]
    comments: usize,
    #[arg(long, value_enum, default_value_t = BackendArg::Sqlite)]
    backend: BackendArg,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    postgres_url: String,
    #[arg(long, default_value = "target/bench")]
    work_dir: PathBuf,
    #[arg(long, default_value = "target/release/bbn")]
    bbn: PathBuf,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// Wall time and peak memory of one bbn command.
struct Run {
    seconds: f64,
    peak_mb: f64,
    stdout: String,
}

fn run(bbn: &Path, site: &(PathBuf, Option<String>), args: &[&str]) -> anyhow::Result<Run> {
    let mut cmd = Command::new(bbn);
    cmd.arg("--data-dir").arg(&site.0);
    if let Some(url) = &site.1 {
        cmd.args(["--database-url", url]);
    }
    let out_file = site.0.join(".bench-stdout");
    let err_file = site.0.join(".bench-stderr");
    let started = Instant::now();
    let mut child = cmd
        .args(args)
        .env("BBN_LOG", "warn")
        .stdout(std::fs::File::create(&out_file)?)
        .stderr(std::fs::File::create(&err_file)?)
        .spawn()
        .with_context(|| format!("cannot run {}", bbn.display()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0_u64;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let seconds = started.elapsed().as_secs_f64();
    let stdout = std::fs::read_to_string(&out_file).unwrap_or_default();
    if !status.success() {
        bail!(
            "bbn {} failed: {}",
            args.join(" "),
            std::fs::read_to_string(&err_file).unwrap_or_default()
        );
    }
    Ok(Run {
        seconds,
        peak_mb: peak_kb as f64 / 1024.0,
        stdout,
    })
}

async fn fresh_site(args: &Args, name: &str) -> anyhow::Result<(PathBuf, Option<String>)> {
    let dir = std::env::current_dir()?.join(&args.work_dir).join(format!(
        "{name}-{}",
        match args.backend {
            BackendArg::Sqlite => "sqlite",
            BackendArg::Postgres => "postgres",
        }
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    let url = match args.backend {
        BackendArg::Sqlite => None,
        BackendArg::Postgres => {
            let db = format!("bbn_bench_{}", name.replace('-', "_"));
            let admin = Store::connect(&args.postgres_url).await?;
            admin
                .execute_raw(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                .await?;
            admin.execute_raw(&format!("CREATE DATABASE {db}")).await?;
            admin.close().await;
            let root = args
                .postgres_url
                .rsplit_once('/')
                .map_or(args.postgres_url.as_str(), |(r, _)| r);
            Some(format!("{root}/{db}"))
        }
    };
    Ok((dir, url))
}

pub async fn run_all(args: Args) -> anyhow::Result<()> {
    let bbn = std::env::current_dir()?.join(&args.bbn);
    let work = std::env::current_dir()?.join(&args.work_dir);
    std::fs::create_dir_all(&work)?;
    let wxr = work.join(format!(
        "wxr-{}-{}-{}.xml",
        args.posts, args.comments, args.seed
    ));
    if !wxr.exists() {
        let started = Instant::now();
        let tmp = wxr.with_extension("partial");
        bbn_wxr::generate::write(
            std::fs::File::create(&tmp)?,
            args.posts,
            args.comments,
            args.seed,
        )?;
        std::fs::rename(&tmp, &wxr)?;
        println!(
            "generated {} in {:.1} s",
            wxr.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let size_mb = std::fs::metadata(&wxr)?.len() as f64 / 1_048_576.0;
    println!(
        "WXR: {} posts, {} comments, {size_mb:.0} MB; backend {:?}; bbn {}",
        args.posts,
        args.comments,
        args.backend,
        bbn.display()
    );
    let file = wxr.to_string_lossy().into_owned();

    let site = fresh_site(&args, "moving-wp").await?;
    let first = run(&bbn, &site, &["import", "wordpress", &file])?;
    let articles = count(&site, "SELECT COUNT(*) FROM articles").await?;
    let comments = count(&site, "SELECT COUNT(*) FROM comments").await?;
    println!(
        "import wordpress: {:.1} s, {:.0} posts/s ({articles} articles, {comments} comments), peak {:.0} MB",
        first.seconds,
        args.posts as f64 / first.seconds,
        first.peak_mb
    );
    let again = run(&bbn, &site, &["import", "wordpress", &file])?;
    println!(
        "import wordpress again (nothing changed): {:.1} s, peak {:.0} MB; created in second run: {}",
        again.seconds,
        again.peak_mb,
        again
            .stdout
            .lines()
            .filter(|l| l.contains(" created "))
            .count()
    );

    let export_a = site.0.join("export.json");
    let ex = run(&bbn, &site, &["export", &export_a.to_string_lossy()])?;
    let bytes = std::fs::metadata(&export_a)?.len() as f64 / 1_048_576.0;
    println!(
        "export: {:.1} s, {bytes:.0} MB, peak {:.0} MB",
        ex.seconds, ex.peak_mb
    );
    let copy = fresh_site(&args, "moving-json").await?;
    let im = run(
        &bbn,
        &copy,
        &["import", "json", &export_a.to_string_lossy()],
    )?;
    println!(
        "import json into an empty site: {:.1} s, peak {:.0} MB",
        im.seconds, im.peak_mb
    );
    let export_b = copy.0.join("export.json");
    let ex2 = run(&bbn, &copy, &["export", &export_b.to_string_lossy()])?;
    let same = std::fs::read(&export_a)? == std::fs::read(&export_b)?;
    println!(
        "second export: {:.1} s; identical to the first: {}",
        ex2.seconds,
        if same { "yes" } else { "NO" }
    );
    println!(
        "round trip (export + import json): {:.1} s",
        ex.seconds + im.seconds
    );
    Ok(())
}

async fn count(site: &(PathBuf, Option<String>), sql: &str) -> anyhow::Result<i64> {
    let store = match &site.1 {
        Some(url) => Store::connect(url).await?,
        None => Store::open_sqlite(&site.0.join("bbn.db")).await?,
    };
    let n = store.query_i64(sql).await?;
    store.close().await;
    Ok(n)
}
