//! Hostile and odd inputs: each normalises or fails with a clear, coded error; none panics.

use std::io::Cursor;

use ddhub_imaging::{Config, ImageError, Limits, OutputFormat, normalise_bytes, normalise_file};
use image::{DynamicImage, Rgba, RgbaImage};

use crate::support::{
    decode, encode_jpeg, encode_png, mean_around, sizes_only, test_card, variant,
};

fn crc32(data: &[u8]) -> u32 {
    // Bitwise CRC-32 (PNG's): eight lines beat a dev-dependency for a test fixture.
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A PNG whose header claims `w`×`h` RGB pixels, followed by a tiny zlib stream of zeros.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    // zlib: stored empty block — the real bomb needs no more to make a naive decoder allocate.
    png_chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x01, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0, 0, 0, 1],
    );
    png_chunk(&mut png, b"IEND", &[]);
    png
}

/// A GIF with a `sw`×`sh` logical screen and one `fw`×`fh` frame with a one-byte LZW stream.
fn gif_bomb(sw: u16, sh: u16, fw: u16, fh: u16) -> Vec<u8> {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&sw.to_le_bytes());
    g.extend_from_slice(&sh.to_le_bytes());
    g.extend_from_slice(&[0x80, 0, 0]); // global colour table of 2 entries
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    g.push(0x2C);
    g.extend_from_slice(&[0, 0, 0, 0]);
    g.extend_from_slice(&fw.to_le_bytes());
    g.extend_from_slice(&fh.to_le_bytes());
    g.push(0);
    g.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]); // LZW min code 2, one sub-block
    g.push(0x3B);
    g
}

fn assert_code(result: Result<ddhub_imaging::NormalisedPhoto, ImageError>, codes: &[&str]) {
    match result {
        Ok(p) => panic!(
            "expected one of {codes:?}, got a photo {}x{}",
            p.source_width, p.source_height
        ),
        Err(e) => {
            assert!(
                codes.contains(&e.code()),
                "expected {codes:?}, got {} ({e})",
                e.code()
            );
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn png_decompression_bombs_are_refused_from_the_header() {
    assert_code(
        normalise_bytes(&png_bomb(100_000, 100_000), &Config::default()),
        &["dimension_too_large"],
    );
    assert_code(
        normalise_bytes(&png_bomb(20_000, 20_000), &Config::default()),
        &["too_many_pixels"],
    );
    // Within the limits but with no pixel data: a decode error, not a panic.
    assert_code(
        normalise_bytes(&png_bomb(3000, 3000), &Config::default()),
        &["corrupt_image"],
    );
}

#[test]
fn gif_decompression_bombs_are_refused() {
    assert_code(
        normalise_bytes(&gif_bomb(65_535, 65_535, 1, 1), &Config::default()),
        &["dimension_too_large", "too_many_pixels"],
    );
    assert_code(
        normalise_bytes(&gif_bomb(20_000, 20_000, 1, 1), &Config::default()),
        &["too_many_pixels"],
    );
    // A frame far larger than its small screen.
    let r = normalise_bytes(&gif_bomb(100, 100, 60_000, 60_000), &Config::default());
    if let Err(e) = r {
        assert!(
            ["corrupt_image", "too_many_pixels", "dimension_too_large"].contains(&e.code()),
            "{e}"
        );
    }
}

#[test]
fn truncated_jpegs_normalise_or_fail_cleanly() {
    let jpeg = encode_jpeg(&test_card(1200, 900), 90);
    for cut in [2, 20, 200, jpeg.len() / 3, jpeg.len() / 2, jpeg.len() - 2] {
        match normalise_bytes(&jpeg[..cut], &Config::default()) {
            Ok(p) => assert!(!p.variants.is_empty()),
            Err(e) => assert!(
                ["corrupt_image", "unsupported_format"].contains(&e.code()),
                "cut {cut}: {} {e}",
                e.code()
            ),
        }
    }
}

#[test]
fn format_comes_from_magic_bytes_not_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("photo.jpg");
    std::fs::write(
        &path,
        encode_png(&DynamicImage::ImageRgb8(test_card(300, 200))),
    )
    .unwrap();
    let photo = normalise_file(&path, &sizes_only(&[("thumb", 320)])).unwrap();
    assert_eq!(photo.source_format, ddhub_imaging::SourceFormat::Png);
    let path = dir.path().join("photo.png");
    std::fs::write(&path, encode_jpeg(&test_card(300, 200), 90)).unwrap();
    let photo = normalise_file(&path, &sizes_only(&[("thumb", 320)])).unwrap();
    assert_eq!(photo.source_format, ddhub_imaging::SourceFormat::Jpeg);
}

#[test]
fn empty_random_and_unknown_inputs_fail_with_codes() {
    assert_code(normalise_bytes(&[], &Config::default()), &["empty_file"]);
    let mut seed = 0x2545_F491u32;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed as u8
        })
        .collect();
    assert_code(
        normalise_bytes(&random, &Config::default()),
        &["unsupported_format"],
    );
    for magic in [
        &b"\xFF\xD8\xFF"[..],
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8 ",
    ] {
        let bytes = [magic, &random].concat();
        assert_code(
            normalise_bytes(&bytes, &Config::default()),
            &[
                "corrupt_image",
                "dimension_too_large",
                "too_many_pixels",
                "zero_size",
                "unsupported_format",
            ],
        );
    }
    assert_code(
        normalise_bytes(b"%PDF-1.7\n", &Config::default()),
        &["unsupported_format"],
    );
}

#[test]
fn heic_without_the_feature_says_so() {
    let mut heic = vec![0, 0, 0, 24];
    heic.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    heic.extend_from_slice(&[0; 64]);
    let r = normalise_bytes(&heic, &Config::default());
    if ddhub_imaging::HEIC_SUPPORTED {
        assert_code(r, &["corrupt_image"]);
    } else {
        assert_code(r, &["heic_unsupported"]);
    }
}

/// `tests/fixtures/blocks.heic` (446 bytes) is the 3×2 colour grid of the orientation test,
/// made with Debian's libheif-examples: `heif-enc -q 90 blocks.png -o blocks.heic`.
#[test]
fn real_heic_file_decodes_with_the_feature_or_says_unsupported() {
    let heic = include_bytes!("../fixtures/blocks.heic");
    let r = normalise_bytes(heic, &sizes_only(&[("thumb", 320)]));
    if !ddhub_imaging::HEIC_SUPPORTED {
        assert_code(r, &["heic_unsupported"]);
        return;
    }
    let photo = r.unwrap();
    assert_eq!(photo.source_format, ddhub_imaging::SourceFormat::Heic);
    assert_eq!((photo.source_width, photo.source_height), (96, 64));
    let out = decode(&variant(&photo, "thumb", OutputFormat::Jpeg).bytes);
    let red = mean_around(&out, 16, 16, 5);
    let blue = mean_around(&out, 80, 16, 5);
    assert!(red[0] > 170.0 && red[2] < 90.0, "{red:?}");
    assert!(blue[2] > 170.0 && blue[0] < 90.0, "{blue:?}");
}

#[test]
fn size_limits_apply_before_decoding() {
    let jpeg = encode_jpeg(&test_card(800, 600), 90);
    let small = Config {
        limits: Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        },
        ..Config::default()
    };
    assert_code(normalise_bytes(&jpeg, &small), &["file_too_large"]);
    let few_pixels = Config {
        limits: Limits {
            max_pixels: 100_000,
            ..Limits::default()
        },
        ..Config::default()
    };
    assert_code(normalise_bytes(&jpeg, &few_pixels), &["too_many_pixels"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jpg");
    std::fs::write(&path, &jpeg).unwrap();
    assert_code(normalise_file(&path, &small), &["file_too_large"]);
}

#[test]
fn sixteen_bit_png_with_alpha_is_flattened_on_white() {
    let img = image::ImageBuffer::<Rgba<u16>, _>::from_fn(200, 100, |x, _| {
        if x < 100 {
            Rgba([65535, 0, 0, 65535])
        } else {
            Rgba([0, 0, 65535, 0])
        }
    });
    let png = encode_png(&DynamicImage::ImageRgba16(img));
    let photo = normalise_bytes(&png, &sizes_only(&[("thumb", 320)])).unwrap();
    let out = decode(&variant(&photo, "thumb", OutputFormat::Jpeg).bytes);
    let red = mean_around(&out, 50, 50, 10);
    let white = mean_around(&out, 150, 50, 10);
    assert!(red[0] > 230.0 && red[1] < 30.0, "{red:?}");
    assert!(
        white.iter().all(|c| *c > 245.0),
        "transparent is not white: {white:?}"
    );
}

#[test]
fn palette_png_and_webp_inputs_normalise() {
    let mut enc = Vec::new();
    {
        let mut e = png::Encoder::new(&mut enc, 4, 4);
        e.set_color(png::ColorType::Indexed);
        e.set_palette(vec![255, 0, 0, 0, 0, 255]);
        let mut w = e.write_header().unwrap();
        w.write_image_data(&[0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1])
            .unwrap();
    }
    normalise_bytes(&enc, &sizes_only(&[("thumb", 320)])).unwrap();
    let card = test_card(400, 300);
    let webp = webp::Encoder::from_rgb(card.as_raw(), 400, 300)
        .encode(80.0)
        .to_vec();
    let photo = normalise_bytes(&webp, &sizes_only(&[("thumb", 320)])).unwrap();
    assert_eq!(photo.source_format, ddhub_imaging::SourceFormat::Webp);
}

#[test]
fn animated_gif_gives_its_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame};
    let mut bytes = Vec::new();
    {
        let mut enc = GifEncoder::new(Cursor::new(&mut bytes));
        for colour in [[0u8, 200, 0, 255], [200, 0, 0, 255]] {
            let frame = Frame::from_parts(
                RgbaImage::from_pixel(64, 64, Rgba(colour)),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            );
            enc.encode_frame(frame).unwrap();
        }
    }
    let photo = normalise_bytes(&bytes, &sizes_only(&[("thumb", 320)])).unwrap();
    assert_eq!(photo.source_format, ddhub_imaging::SourceFormat::Gif);
    let out = decode(&variant(&photo, "thumb", OutputFormat::Jpeg).bytes);
    let c = mean_around(&out, 32, 32, 8);
    assert!(
        c[1] > 150.0 && c[0] < 60.0,
        "not the first (green) frame: {c:?}"
    );
}

#[test]
fn progressive_and_grey_jpegs_normalise() {
    let card = test_card(640, 480);
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_progressive(true).unwrap();
    let progressive = c
        .compress_to_vec(turbojpeg::Image {
            pixels: card.as_raw().as_slice(),
            width: 640,
            pitch: 640 * 3,
            height: 480,
            format: turbojpeg::PixelFormat::RGB,
        })
        .unwrap();
    assert!(turbojpeg::read_header(&progressive).unwrap().is_progressive);
    normalise_bytes(&progressive, &Config::default()).unwrap();
    let grey = image::GrayImage::from_fn(640, 480, |x, y| image::Luma([((x ^ y) & 0xFF) as u8]));
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_subsamp(turbojpeg::Subsamp::Gray).unwrap();
    let grey_jpeg = c
        .compress_to_vec(turbojpeg::Image {
            pixels: grey.as_raw().as_slice(),
            width: 640,
            pitch: 640,
            height: 480,
            format: turbojpeg::PixelFormat::GRAY,
        })
        .unwrap();
    normalise_bytes(&grey_jpeg, &Config::default()).unwrap();
}
