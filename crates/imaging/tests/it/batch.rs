//! `normalise_dir`: layout on disk, failures reported, not fatal.

use ddhub_imaging::{Config, normalise_dir};
use image::DynamicImage;

use crate::support::{encode_jpeg, encode_png, test_card};

#[test]
fn normalise_dir_writes_variants_and_reports_failures() {
    let input = tempfile::tempdir().unwrap();
    let output = tempfile::tempdir().unwrap();
    let p = input.path();
    std::fs::write(p.join("a.jpg"), encode_jpeg(&test_card(1800, 1200), 90)).unwrap();
    std::fs::write(
        p.join("b.png"),
        encode_png(&DynamicImage::ImageRgb8(test_card(900, 700))),
    )
    .unwrap();
    std::fs::write(p.join("b.jpg"), encode_jpeg(&test_card(900, 700), 90)).unwrap();
    std::fs::write(p.join("broken.jpg"), b"not a photo").unwrap();
    std::fs::write(p.join(".hidden.jpg"), b"ignored").unwrap();

    let calls = std::sync::atomic::AtomicUsize::new(0);
    let summary = normalise_dir(p, output.path(), &Config::default(), 2, |done, total| {
        assert!(done <= total && total == 4);
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(calls.into_inner(), 4);
    assert_eq!(summary.processed, 2);
    assert_eq!(summary.failed, 2);
    let codes: Vec<_> = summary.failures.iter().map(|f| f.code.as_str()).collect();
    assert!(
        codes.contains(&"duplicate_stem") && codes.contains(&"unsupported_format"),
        "{codes:?}"
    );
    assert!(summary.images_per_s > 0.0);
    assert!(summary.warnings >= 1, "b is under Amazon's minimum");
    let a = output.path().join("a");
    for f in [
        "large.jpg",
        "large.webp",
        "medium.jpg",
        "medium.webp",
        "thumb.jpg",
        "thumb.webp",
        "square_white.jpg",
        "google.jpg",
    ] {
        assert!(a.join(f).is_file(), "missing a/{f}");
    }
    assert!(output.path().join("b").join("thumb.jpg").is_file());
    assert!(!output.path().join("broken").exists());

    let json = serde_json::to_value(&summary).unwrap();
    for key in [
        "processed",
        "failed",
        "warnings",
        "images_per_s",
        "failures",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
}
