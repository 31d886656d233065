//! Output sizes and profiles, never upscaling, checks and hashes.

use ddhub_imaging::{
    Config, NEAR_DUPLICATE_MAX_DISTANCE, OutputFormat, Severity, normalise_bytes, phash_distance,
    sha256_hex,
};
use image::{Rgb, RgbImage};

use crate::support::{decode, encode_jpeg, mean_around, names, test_card, variant};

#[test]
fn a_large_photo_gets_every_size_and_profile() {
    let src = encode_jpeg(&test_card(3000, 2000), 90);
    let photo = normalise_bytes(&src, &Config::default()).unwrap();
    let dims = |name, format| {
        let v = variant(&photo, name, format);
        let img = decode(&v.bytes);
        assert_eq!(img.dimensions(), (v.width, v.height), "{name}");
        img.dimensions()
    };
    for format in [OutputFormat::Jpeg, OutputFormat::Webp] {
        assert_eq!(dims("large", format), (1600, 1067));
        assert_eq!(dims("medium", format), (800, 533));
        assert_eq!(dims("thumb", format), (320, 213));
    }
    assert_eq!(dims("square_white", OutputFormat::Jpeg), (1200, 1200));
    assert_eq!(dims("google", OutputFormat::Jpeg), (1200, 800));
    assert_eq!(photo.sha256, sha256_hex(&src));
    assert_eq!(photo.sha256.len(), 64);
    assert_eq!((photo.source_width, photo.source_height), (3000, 2000));
    assert!(photo.warnings.is_empty(), "{:?}", photo.warnings);
}

#[test]
fn square_white_is_square_centred_on_white() {
    // A red product photo, wider than tall, on a 2400×1200 source.
    let src = encode_jpeg(&RgbImage::from_pixel(2400, 1200, Rgb([200, 20, 20])), 95);
    let photo = normalise_bytes(&src, &Config::default()).unwrap();
    let v = variant(&photo, "square_white", OutputFormat::Jpeg);
    let img = decode(&v.bytes);
    assert_eq!(img.width(), img.height());
    assert_eq!(img.width(), 1200);
    // Product 1104×552 centred: white bands of 324 px above and below, 48 px left and right.
    for (x, y) in [
        (600, 100),
        (600, 1100),
        (20, 600),
        (1180, 600),
        (5, 5),
        (1195, 1195),
    ] {
        let c = mean_around(&img, x, y, 3);
        assert!(c.iter().all(|v| *v > 245.0), "({x},{y}) not white: {c:?}");
    }
    for (x, y) in [(600, 600), (60, 600), (1140, 600), (600, 340), (600, 860)] {
        let c = mean_around(&img, x, y, 3);
        assert!(c[0] > 170.0 && c[1] < 60.0, "({x},{y}) not product: {c:?}");
    }
}

#[test]
fn small_photos_are_never_upscaled() {
    let src = encode_jpeg(&test_card(600, 400), 90);
    let photo = normalise_bytes(&src, &Config::default()).unwrap();
    let produced = names(&photo);
    assert!(
        produced
            .iter()
            .all(|(n, _, _, _)| n != "large" && n != "medium"),
        "{produced:?}"
    );
    for (name, _, w, h) in &produced {
        if name != "square_white" {
            assert!(*w <= 600 && *h <= 400, "{name} upscaled to {w}x{h}");
        }
    }
    assert_eq!(variant(&photo, "thumb", OutputFormat::Jpeg).width, 320);
    let google = variant(&photo, "google", OutputFormat::Jpeg);
    assert_eq!((google.width, google.height), (600, 400));
    // square_white pads the photo at its own size: no pixel is upscaled.
    let sq = decode(&variant(&photo, "square_white", OutputFormat::Jpeg).bytes);
    assert_eq!(sq.width(), sq.height());
    assert!(sq.width() >= 600 && sq.width() < 700);
    let codes: Vec<_> = photo.warnings.iter().map(|w| w.code.as_str()).collect();
    assert!(codes.contains(&"under_amazon_minimum"), "{codes:?}");
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "output_skipped_no_upscale")
            .count(),
        2
    );
    let amazon = photo
        .warnings
        .iter()
        .find(|w| w.code == "under_amazon_minimum")
        .unwrap();
    assert_eq!(
        (amazon.measured, amazon.threshold),
        (Some(600.0), Some(1000.0))
    );
}

#[test]
fn google_needs_500_px() {
    let src = encode_jpeg(&test_card(450, 300), 90);
    let photo = normalise_bytes(&src, &Config::default()).unwrap();
    assert!(photo.variants.iter().all(|v| v.name != "google"));
    let check = photo
        .warnings
        .iter()
        .find(|w| w.code == "too_small_for_google")
        .unwrap();
    assert_eq!(check.severity, Severity::Error);
    assert_eq!(
        (check.measured, check.threshold),
        (Some(450.0), Some(500.0))
    );
    assert_eq!(check.output.as_deref(), Some("google"));
    // Tiny photos still get a thumbnail at their own size.
    let tiny = normalise_bytes(&encode_jpeg(&test_card(100, 80), 90), &Config::default()).unwrap();
    assert_eq!(variant(&tiny, "thumb", OutputFormat::Jpeg).width, 100);

    let ok = normalise_bytes(&encode_jpeg(&test_card(520, 300), 90), &Config::default()).unwrap();
    let g = variant(&ok, "google", OutputFormat::Jpeg);
    assert!(g.width.max(g.height) >= 500);
}

#[test]
fn blank_and_blurred_photos_are_flagged_with_scores() {
    let blank = encode_jpeg(&RgbImage::from_pixel(1200, 1200, Rgb([250, 250, 250])), 90);
    let photo = normalise_bytes(&blank, &Config::default()).unwrap();
    let w = photo
        .warnings
        .iter()
        .find(|w| w.code == "nearly_blank")
        .unwrap();
    assert!(w.measured.unwrap() < w.threshold.unwrap());

    let sharp = test_card(1600, 1200);
    let photo = normalise_bytes(&encode_jpeg(&sharp, 90), &Config::default()).unwrap();
    assert!(
        photo
            .warnings
            .iter()
            .all(|w| w.code != "heavily_blurred" && w.code != "nearly_blank"),
        "{:?}",
        photo.warnings
    );

    let blurred = image::imageops::blur(&sharp, 12.0);
    let photo = normalise_bytes(&encode_jpeg(&blurred, 90), &Config::default()).unwrap();
    let w = photo
        .warnings
        .iter()
        .find(|w| w.code == "heavily_blurred")
        .unwrap();
    assert!(w.measured.unwrap() < w.threshold.unwrap(), "{w:?}");
    assert!(w.message.contains("threshold"));
}

#[test]
fn perceptual_hash_finds_the_same_photo_reencoded_and_resized() {
    // A smooth, photo-like scene: large shapes and gradients.
    let card = RgbImage::from_fn(1600, 1200, |x, y| {
        let (fx, fy) = (x as f32 / 1600.0, y as f32 / 1200.0);
        let blob = ((fx - 0.35).powi(2) + (fy - 0.45).powi(2)).sqrt() < 0.22;
        let base = [
            40.0 + 180.0 * fx,
            60.0 + 120.0 * fy,
            200.0 - 150.0 * fx * fy,
        ];
        Rgb(if blob {
            [230, 200, 40]
        } else {
            base.map(|v| v as u8)
        })
    });
    let a = normalise_bytes(&encode_jpeg(&card, 92), &Config::default()).unwrap();
    let smaller = image::imageops::resize(&card, 1000, 750, image::imageops::FilterType::Triangle);
    let b = normalise_bytes(&encode_jpeg(&smaller, 60), &Config::default()).unwrap();
    assert_ne!(a.sha256, b.sha256);
    let d = phash_distance(&a.phash, &b.phash).unwrap();
    assert!(d <= NEAR_DUPLICATE_MAX_DISTANCE, "distance {d}");

    let other = RgbImage::from_fn(1600, 1200, |x, y| {
        let v = if (x / 200 + y / 300) % 2 == 0 {
            30
        } else {
            220
        };
        Rgb([v, 255 - v, (x % 256) as u8])
    });
    let c = normalise_bytes(&encode_jpeg(&other, 90), &Config::default()).unwrap();
    let d = phash_distance(&a.phash, &c.phash).unwrap();
    assert!(d > NEAR_DUPLICATE_MAX_DISTANCE, "distance {d}");
    assert!(phash_distance("not a hash!", &a.phash).is_err());
}

#[test]
fn config_round_trips_through_serde_with_defaults() {
    let json = serde_json::to_string(&Config::default()).unwrap();
    let back: Config = serde_json::from_str(&json).unwrap();
    assert_eq!(back, Config::default());
    let partial: Config = serde_json::from_str(
        r#"{"profiles":[{"name":"zalando","layout":{"kind":"fit","long_edge":1800},"min_long_edge":1000}],
            "jpeg":{"quality":90}}"#,
    )
    .unwrap();
    assert_eq!(partial.jpeg.quality, 90);
    assert_eq!(partial.profiles.len(), 1);
    assert_eq!(partial.sizes, Config::default().sizes);
    assert!(serde_json::from_str::<Config>(r#"{"jpgq":1}"#).is_err());
}
