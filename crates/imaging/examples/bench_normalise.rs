//! Batch-normalises a folder and prints figures (never asserts); `scripts/bench-images.sh` runs
//! it beside libvips's `vipsthumbnail`.
//!
//! `cargo run --release -p ddhub-imaging --example bench_normalise -- INPUT OUTPUT [--jobs N]
//! [--jpeg-only] [--no-profiles]`
//!
//! The colour check's cost (issue 19, target ≤ 1.10× normalisation alone):
//! `cargo run --release -p ddhub-imaging --example bench_normalise -- --colour-ratio [DIR]
//! [--rounds N]`: every photo of DIR (or, without DIR, 24 generated 12 MP phone-sized photos of
//! a garment on a sweep) normalised in memory on one thread, with and without the colour
//! check, rounds interleaved, best round of each; prints both figures and their ratio.

use std::path::PathBuf;
use std::process::ExitCode;

use ddhub_imaging::{Config, normalise_dir};

fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--colour-ratio") {
        return colour_ratio(std::env::args().skip(2).collect());
    }
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

/// A `w × h` JPEG of a garment-coloured ellipse on a white or grey sweep with noise: a stand-in
/// for a shop's phone photo when no folder is given.
fn generated_photo(seed: u32, w: u32, h: u32) -> Vec<u8> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(7);
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state % 17) as f32 - 8.0
    };
    let garment = [
        [17u8, 17, 17],
        [246, 240, 220],
        [200, 16, 46],
        [46, 125, 50],
        [30, 50, 100],
        [180, 150, 120],
    ][seed as usize % 6];
    let bg = if seed.is_multiple_of(2) { 247.0 } else { 205.0 };
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (
            (x as f32 - w as f32 / 2.0) / (w as f32 / 3.0),
            (y as f32 - h as f32 / 2.0) / (h as f32 / 2.6),
        );
        let inside = dx * dx + dy * dy <= 1.0;
        let shade = 1.1 - 0.2 * (y as f32 / h as f32);
        let mut px = |c: u8| {
            let v = if inside {
                f32::from(c) * shade + noise()
            } else {
                bg - 8.0 * (x as f32 / w as f32) + noise() / 2.0
            };
            v.clamp(0.0, 255.0) as u8
        };
        image::Rgb([px(garment[0]), px(garment[1]), px(garment[2])])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    match img.write_to(&mut out, image::ImageFormat::Jpeg) {
        Ok(()) => out.into_inner(),
        Err(_) => Vec::new(),
    }
}

fn colour_ratio(args: Vec<String>) -> ExitCode {
    let mut rounds = 3;
    let mut dir = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            other => dir = Some(PathBuf::from(other)),
        }
    }
    let photos: Vec<Vec<u8>> = match &dir {
        Some(d) => {
            let Ok(entries) = std::fs::read_dir(d) else {
                eprintln!("cannot read {}", d.display());
                return ExitCode::from(2);
            };
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
        }
        None => (0..24).map(|i| generated_photo(i, 3024, 4032)).collect(),
    };
    let on = Config::default();
    let mut off = Config::default();
    off.checks.dominant_colours = false;
    // Per photo, the two configurations alternate and each keeps its fastest run: on a shared
    // machine, load that comes and goes then hits both sides alike.
    let time = |bytes: &[u8], config: &Config| -> Result<(f64, usize), ddhub_imaging::ImageError> {
        let start = std::time::Instant::now();
        let n = ddhub_imaging::normalise_bytes(bytes, config)?;
        Ok((start.elapsed().as_secs_f64(), n.colours.len()))
    };
    let (mut sum_off, mut sum_on, mut found, mut check_alone) = (0.0, 0.0, 0, 0.0);
    for p in &photos {
        let (mut best_off, mut best_on) = (f64::MAX, f64::MAX);
        for _ in 0..rounds.max(1) {
            match (time(p, &off), time(p, &on)) {
                (Ok((a, _)), Ok((b, n))) => {
                    best_off = best_off.min(a);
                    best_on = best_on.min(b);
                    found += usize::from(n > 0);
                }
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("{}: {e}", e.code());
                    return ExitCode::FAILURE;
                }
            }
        }
        sum_off += best_off;
        sum_on += best_on;
        // The check alone, on the level it runs on (the ~800 px output, decoded here).
        if let Ok(n) = ddhub_imaging::normalise_bytes(p, &off)
            && let Some(v) = n.variants.iter().find(|v| v.name == "medium")
            && let Ok(img) = image::load_from_memory(&v.bytes)
        {
            let rgb = img.to_rgb8();
            let mut best = f64::MAX;
            for _ in 0..rounds.max(1) {
                let start = std::time::Instant::now();
                let c = ddhub_imaging::colour_check::photo_colours(
                    rgb.as_raw(),
                    rgb.width(),
                    rgb.height(),
                );
                best = best.min(start.elapsed().as_secs_f64());
                std::hint::black_box(c);
            }
            check_alone += best;
        }
    }
    println!(
        "photos={} rounds={rounds} normalise_alone_s={sum_off:.3} normalise_with_colour_check_s={sum_on:.3} ratio={:.3} colour_check_alone_s={check_alone:.4} ratio_from_parts={:.4} (target <= 1.10) photos_with_colours={}",
        photos.len(),
        sum_on / sum_off.max(1e-9),
        (sum_off + check_alone) / sum_off.max(1e-9),
        found / rounds.max(1)
    );
    ExitCode::SUCCESS
}
