//! `ddhub images normalise`: the imaging pipeline over a folder, standalone.

use crate::usage;
use clap::{Args, Subcommand};
use ddhub_app::config::Config;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum ImagesCmd {
    /// Normalise every photo in INPUT_DIR into OUTPUT_DIR/<file stem>/<variant>.<jpg|webp>.
    Normalise(NormaliseArgs),
}

#[derive(Args, Debug)]
pub struct NormaliseArgs {
    input_dir: PathBuf,
    output_dir: PathBuf,
    /// Marketplace profiles to produce (default: every configured one); repeatable.
    #[arg(long = "profile")]
    profiles: Vec<String>,
    /// Produce no marketplace profiles, only the plain sizes.
    #[arg(long, conflicts_with = "profiles")]
    no_profiles: bool,
    /// JPEG outputs only (no WebP).
    #[arg(long)]
    jpeg_only: bool,
    /// Photos processed at once (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Print one JSON object: {processed, failed, warnings, images_per_s, failures}.
    #[arg(long)]
    json: bool,
}

pub async fn run(config: &Config, cmd: ImagesCmd) -> anyhow::Result<()> {
    let ImagesCmd::Normalise(a) = cmd;
    if !a.input_dir.is_dir() {
        return Err(usage(format!("{} is not a folder", a.input_dir.display())));
    }
    let mut images = config.images.clone();
    if !a.profiles.is_empty() {
        let known: Vec<&str> = images.profiles.iter().map(|p| p.name.as_str()).collect();
        if let Some(bad) = a.profiles.iter().find(|p| !known.contains(&p.as_str())) {
            return Err(usage(format!(
                "unknown profile {bad:?}; configured: {}",
                known.join(", ")
            )));
        }
        let names: Vec<&str> = a.profiles.iter().map(String::as_str).collect();
        images = images.with_only_profiles(&names);
    }
    if a.no_profiles {
        images.profiles.clear();
    }
    if a.jpeg_only {
        images = images.jpeg_only();
    }
    let jobs = a
        .jobs
        .unwrap_or_else(|| config.worker_concurrency())
        .clamp(1, 64);
    std::fs::create_dir_all(&a.output_dir)
        .map_err(|e| usage(format!("{}: {e}", a.output_dir.display())))?;
    let bar = (!a.json && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let (input, output) = (a.input_dir.clone(), a.output_dir.clone());
    let bar2 = bar.clone();
    let summary = tokio::task::spawn_blocking(move || {
        ddhub_imaging::normalise_dir(&input, &output, &images, jobs, |done, total| {
            if let Some(b) = &bar2 {
                b.set_length(total as u64);
                b.set_position(done as u64);
            }
        })
    })
    .await??;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        println!(
            "processed {}, failed {}, warnings {}, {:.1} images/s ({:.1} source MP/s)",
            summary.processed,
            summary.failed,
            summary.warnings,
            summary.images_per_s,
            summary.source_megapixels / summary.seconds.max(1e-9)
        );
        for f in &summary.failures {
            println!("  {}: {} — {}", f.file, f.code, f.message);
        }
    }
    Ok(())
}
