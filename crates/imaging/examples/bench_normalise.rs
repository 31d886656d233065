//! Batch-normalises a folder and prints figures (never asserts); `scripts/bench-images.sh` runs
//! it beside libvips's `vipsthumbnail`.
//!
//! `cargo run --release -p ddhub-imaging --example bench_normalise -- INPUT OUTPUT [--jobs N]
//! [--jpeg-only] [--no-profiles]`

use std::path::PathBuf;
use std::process::ExitCode;

use ddhub_imaging::{Config, normalise_dir};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        eprintln!(
            "usage: bench_normalise INPUT_DIR OUTPUT_DIR [--jobs N] [--jpeg-only] [--no-profiles]"
        );
        return ExitCode::from(2);
    };
    let mut config = Config::default();
    let mut jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--jobs" => jobs = args.next().and_then(|n| n.parse().ok()).unwrap_or(jobs),
            "--jpeg-only" => config = config.jpeg_only(),
            "--no-profiles" => config.profiles.clear(),
            other => {
                eprintln!("unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    match normalise_dir(
        &PathBuf::from(input),
        &PathBuf::from(output),
        &config,
        jobs,
        |_, _| {},
    ) {
        Ok(s) => {
            println!(
                "processed={} failed={} warnings={} seconds={:.3} images_per_s={:.2} source_mp={:.1} source_mp_per_s={:.1}",
                s.processed,
                s.failed,
                s.warnings,
                s.seconds,
                s.images_per_s,
                s.source_megapixels,
                s.source_megapixels / s.seconds.max(1e-9)
            );
            for f in &s.failures {
                println!("failure {} {} {}", f.file, f.code, f.message);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", e.code());
            ExitCode::FAILURE
        }
    }
}
