//! Batch normalisation of a folder: `jobs` worker threads, one photo in flight per worker, so
//! memory stays flat however many photos the folder holds.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::{Config, ImageError, normalise_file};

/// One photo that could not be normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchFailure {
    pub file: String,
    pub code: String,
    pub message: String,
}

/// What `normalise_dir` did; serialises to the CLI's `--json` shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchSummary {
    pub processed: usize,
    pub failed: usize,
    /// Number of checks reported over all processed photos.
    pub warnings: usize,
    pub images_per_s: f64,
    /// Sum of source megapixels over processed photos.
    pub source_megapixels: f64,
    pub seconds: f64,
    pub failures: Vec<BatchFailure>,
}

/// Regular, non-hidden files directly inside `dir`, sorted by name.
fn list_inputs(dir: &Path) -> Result<Vec<PathBuf>, ImageError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ImageError::io(dir, e))? {
        let entry = entry.map_err(|e| ImageError::io(dir, e))?;
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

enum Outcome {
    Done { checks: usize, megapixels: f64 },
    Failed(BatchFailure),
}

fn failure(file: &Path, code: &str, message: String) -> Outcome {
    Outcome::Failed(BatchFailure {
        file: file.display().to_string(),
        code: code.to_owned(),
        message,
    })
}

fn process(input: &Path, out_dir: &Path, config: &Config) -> Result<Outcome, ImageError> {
    let photo = normalise_file(input, config)?;
    std::fs::create_dir_all(out_dir).map_err(|e| ImageError::io(out_dir, e))?;
    for variant in &photo.variants {
        let path = out_dir.join(format!("{}.{}", variant.name, variant.format.extension()));
        std::fs::write(&path, &variant.bytes).map_err(|e| ImageError::io(&path, e))?;
    }
    Ok(Outcome::Done {
        checks: photo.warnings.len(),
        megapixels: f64::from(photo.source_width) * f64::from(photo.source_height) / 1e6,
    })
}

/// Normalises every file directly inside `input_dir` into
/// `output_dir/<file stem>/<variant>.<jpg|webp>`, with `jobs` worker threads (at least 1).
/// A failed photo is reported in the summary and never stops the others; `progress(done, total)`
/// is called after each photo. Errors only when `input_dir` cannot be listed.
pub fn normalise_dir(
    input_dir: &Path,
    output_dir: &Path,
    config: &Config,
    jobs: usize,
    progress: impl Fn(usize, usize) + Sync,
) -> Result<BatchSummary, ImageError> {
    let started = Instant::now();
    let inputs = list_inputs(input_dir)?;
    let total = inputs.len();
    let mut seen = HashSet::new();
    let work: Vec<(PathBuf, Option<PathBuf>)> = inputs
        .into_iter()
        .map(|path| {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let out = seen.insert(stem.clone()).then(|| output_dir.join(stem));
            (path, out)
        })
        .collect();

    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let outcomes = Mutex::new(Vec::with_capacity(total));
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, total.max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, out)) = work.get(i) else {
                        break;
                    };
                    let outcome = match out {
                        None => failure(
                            path,
                            "duplicate_stem",
                            "another file in the folder has the same name without extension".into(),
                        ),
                        Some(out) => match process(path, out, config) {
                            Ok(o) => o,
                            Err(e) => failure(path, e.code(), e.to_string()),
                        },
                    };
                    if let Ok(mut all) = outcomes.lock() {
                        all.push(outcome);
                    }
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                }
            });
        }
    });

    let seconds = started.elapsed().as_secs_f64();
    let mut summary = BatchSummary {
        processed: 0,
        failed: 0,
        warnings: 0,
        images_per_s: 0.0,
        source_megapixels: 0.0,
        seconds,
        failures: Vec::new(),
    };
    for outcome in outcomes.into_inner().unwrap_or_default() {
        match outcome {
            Outcome::Done { checks, megapixels } => {
                summary.processed += 1;
                summary.warnings += checks;
                summary.source_megapixels += megapixels;
            }
            Outcome::Failed(f) => {
                summary.failed += 1;
                summary.failures.push(f);
            }
        }
    }
    summary.failures.sort_by(|a, b| a.file.cmp(&b.file));
    if seconds > 0.0 {
        summary.images_per_s = summary.processed as f64 / seconds;
    }
    Ok(summary)
}
