//! Prints the checks, hashes and outputs of each photo given on the command line, as JSON lines:
//! a quick way to see what the pipeline says about real photos and to tune thresholds.
//!
//! `cargo run --release -p ddhub-imaging --example photo_report -- PHOTO...`

use ddhub_imaging::{Config, normalise_file};

fn main() {
    let config = Config::default();
    for path in std::env::args().skip(1) {
        match normalise_file(std::path::Path::new(&path), &config) {
            Ok(photo) => {
                let line = serde_json::json!({
                    "file": path,
                    "format": photo.source_format,
                    "width": photo.source_width,
                    "height": photo.source_height,
                    "phash": photo.phash,
                    "warnings": photo.warnings,
                    "variants": photo.variants,
                });
                println!("{line}");
            }
            Err(e) => println!(
                "{}",
                serde_json::json!({"file": path, "error": e.code(), "message": e.to_string()})
            ),
        }
    }
}
