//! Embedded colour profiles (Display P3, Adobe RGB, CMYK) come out as sRGB.

use ddhub_imaging::{OutputFormat, normalise_bytes};
use image::{Rgb, RgbImage};
use moxcms::ColorProfile;

use crate::support::{
    decode, delta_e, encode_jpeg, linear_to_srgb, mean_around, sizes_only, variant, with_icc,
};

fn flat(colour: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(64, 64, Rgb(colour))
}

fn out_colour(jpeg: &[u8]) -> [f64; 3] {
    let photo = normalise_bytes(jpeg, &sizes_only(&[("thumb", 320)])).unwrap();
    assert!(
        photo
            .warnings
            .iter()
            .all(|w| w.code != "icc_profile_ignored"),
        "{:?}",
        photo.warnings
    );
    let out = decode(&variant(&photo, "thumb", OutputFormat::Jpeg).bytes);
    mean_around(&out, 32, 32, 8)
}

/// Independent reference: decode the source transfer curve, apply the linear-RGB matrix to
/// linear sRGB, encode with the sRGB curve.
fn reference(colour: [u8; 3], to_linear: impl Fn(f64) -> f64, m: [[f64; 3]; 3]) -> [f64; 3] {
    let lin = colour.map(|c| to_linear(f64::from(c) / 255.0));
    let mut out = [0.0; 3];
    for (i, row) in m.iter().enumerate() {
        out[i] = linear_to_srgb(row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2]);
    }
    out
}

fn srgb_curve(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

#[test]
fn display_p3_jpeg_comes_out_srgb() {
    let icc = ColorProfile::new_display_p3().encode().unwrap();
    // Linear Display P3 → linear sRGB (both D65).
    let m = [
        [1.224_94, -0.224_94, 0.0],
        [-0.042_06, 1.042_06, 0.0],
        [-0.019_64, -0.078_64, 1.098_28],
    ];
    for colour in [[200u8, 120, 60], [90, 160, 110], [120, 110, 190]] {
        let jpeg = with_icc(&encode_jpeg(&flat(colour), 98), &icc);
        let got = out_colour(&jpeg);
        let want = reference(colour, srgb_curve, m);
        let untagged = colour.map(f64::from);
        assert!(
            delta_e(got, want) < 2.5,
            "P3 {colour:?}: got {got:?}, want {want:?}"
        );
        // The test can fail: reading P3 numbers as sRGB is visibly off.
        assert!(
            delta_e(untagged, want) > 3.0,
            "P3 {colour:?} too close to sRGB"
        );
    }
}

#[test]
fn adobe_rgb_jpeg_comes_out_srgb() {
    let icc = ColorProfile::new_adobe_rgb().encode().unwrap();
    let m = [
        [1.398_28, -0.398_28, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, -0.042_94, 1.042_94],
    ];
    let colour = [90u8, 170, 100];
    let jpeg = with_icc(&encode_jpeg(&flat(colour), 98), &icc);
    let got = out_colour(&jpeg);
    let want = reference(colour, |v| v.powf(563.0 / 256.0), m);
    assert!(delta_e(got, want) < 2.5, "got {got:?}, want {want:?}");
}

/// A CMYK JPEG as Photoshop writes it: Adobe APP14 marker, inverted values (255 = no ink).
fn cmyk_jpeg(ink: [u8; 4], colorspace: turbojpeg::Colorspace) -> Vec<u8> {
    let pixels: Vec<u8> = std::iter::repeat_n(ink.map(|v| 255 - v), 64 * 64)
        .flatten()
        .collect();
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_quality(98).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::None).unwrap();
    c.set_colorspace(colorspace).unwrap();
    let jpeg = c
        .compress_to_vec(turbojpeg::Image {
            pixels: pixels.as_slice(),
            width: 64,
            pitch: 64 * 4,
            height: 64,
            format: turbojpeg::PixelFormat::CMYK,
        })
        .unwrap();
    let header = turbojpeg::read_header(&jpeg).unwrap();
    assert_eq!(header.colorspace, colorspace);
    let parsed = img_parts::jpeg::Jpeg::from_bytes(jpeg.clone().into()).unwrap();
    assert!(
        parsed.segments_by_marker(0xEE).next().is_some(),
        "libjpeg writes the Adobe marker for CMYK"
    );
    jpeg
}

#[test]
fn untagged_cmyk_and_ycck_jpegs_come_out_srgb() {
    let cases: [([u8; 4], [f64; 3]); 4] = [
        ([0, 255, 255, 0], [255.0, 0.0, 0.0]),
        ([255, 0, 0, 0], [0.0, 255.0, 255.0]),
        ([0, 0, 0, 128], [127.0, 127.0, 127.0]),
        ([0, 0, 0, 0], [255.0, 255.0, 255.0]),
    ];
    for colorspace in [turbojpeg::Colorspace::CMYK, turbojpeg::Colorspace::YCCK] {
        for (ink, want) in cases {
            let got = out_colour(&cmyk_jpeg(ink, colorspace));
            assert!(
                delta_e(got, want) < 3.0,
                "{colorspace:?} {ink:?}: got {got:?}, want {want:?}"
            );
        }
    }
}

/// With a real CMYK ICC profile (ghostscript's SWOP-like default, from Debian's libgs-common,
/// installed by scripts/install-deps.sh) the conversion goes through moxcms. A printing profile never
/// reaches pure sRGB primaries, so the reference is perceptual: paper white, dark black, a
/// cyan hue far from the naive conversion's.
#[test]
fn cmyk_jpeg_with_icc_profile_comes_out_srgb() {
    let path = "/usr/share/color/icc/ghostscript/default_cmyk.icc";
    let Ok(icc) = std::fs::read(path) else {
        eprintln!("skipped: {path} missing (run scripts/install-deps.sh)");
        return;
    };
    let tagged = |ink| {
        out_colour(&with_icc(
            &cmyk_jpeg(ink, turbojpeg::Colorspace::YCCK),
            &icc,
        ))
    };
    let paper = tagged([0, 0, 0, 0]);
    assert!(delta_e(paper, [255.0; 3]) < 8.0, "paper {paper:?}");
    let black = tagged([0, 0, 0, 255]);
    assert!(crate::support::lab(black)[0] < 35.0, "black {black:?}");
    let cyan_rgb = tagged([255, 0, 0, 0]);
    let cyan = crate::support::lab(cyan_rgb);
    assert!(cyan[1] < -8.0 && cyan[2] < -30.0, "cyan Lab {cyan:?}");
    // Printed cyan is far duller than the naive (0, 255, 255): proof the profile was used.
    assert!(
        delta_e(cyan_rgb, [0.0, 255.0, 255.0]) > 10.0,
        "cyan {cyan_rgb:?}"
    );
}
