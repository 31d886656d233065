//! Every EXIF orientation 1–8 ends upright.

use ddhub_imaging::{OutputFormat, normalise_bytes};
use image::metadata::Orientation;
use image::{DynamicImage, Rgb, RgbImage};

use crate::support::{decode, encode_jpeg, mean_around, sizes_only, variant, with_exif};

const COLOURS: [[u8; 3]; 6] = [
    [220, 30, 30],
    [30, 200, 40],
    [30, 40, 220],
    [230, 220, 30],
    [30, 210, 220],
    [210, 40, 200],
];

/// An asymmetric 3×2 grid of 32 px colour blocks: every flip and rotation changes it.
fn upright() -> RgbImage {
    RgbImage::from_fn(96, 64, |x, y| Rgb(COLOURS[(y / 32 * 3 + x / 32) as usize]))
}

fn inverse(o: u8) -> u8 {
    match o {
        6 => 8,
        8 => 6,
        other => other,
    }
}

#[test]
fn every_exif_orientation_ends_upright() {
    let reference = upright();
    let config = sizes_only(&[("thumb", 320)]);
    for o in 1u8..=8 {
        // Store the pixels so that applying orientation `o` gives the upright picture.
        let mut stored = DynamicImage::ImageRgb8(reference.clone());
        stored.apply_orientation(Orientation::from_exif(inverse(o)).unwrap());
        let stored = stored.into_rgb8();
        let jpeg = with_exif(&encode_jpeg(&stored, 95), u16::from(o), false);

        let photo = normalise_bytes(&jpeg, &config).unwrap();
        let out = decode(&variant(&photo, "thumb", OutputFormat::Jpeg).bytes);
        assert_eq!(out.dimensions(), (96, 64), "orientation {o}");
        for by in 0..2u32 {
            for bx in 0..3u32 {
                let got = mean_around(&out, bx * 32 + 16, by * 32 + 16, 6);
                let want = COLOURS[(by * 3 + bx) as usize];
                for c in 0..3 {
                    assert!(
                        (got[c] - f64::from(want[c])).abs() < 12.0,
                        "orientation {o}, block ({bx},{by}): got {got:?}, want {want:?}"
                    );
                }
            }
        }
    }
}
