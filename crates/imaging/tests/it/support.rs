//! Fixture builders: JPEG/PNG encoders, metadata segments (EXIF with GPS, XMP, IPTC, ICC) and
//! colour maths for ΔE.

use ddhub_imaging::{Config, NormalisedPhoto, OutputFormat, OutputSpec, Variant};
use image::{Rgb, RgbImage};

pub fn encode_jpeg(img: &RgbImage, quality: i32) -> Vec<u8> {
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_quality(quality).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::Sub2x2).unwrap();
    c.compress_to_vec(turbojpeg::Image {
        pixels: img.as_raw().as_slice(),
        width: img.width() as usize,
        pitch: img.width() as usize * 3,
        height: img.height() as usize,
        format: turbojpeg::PixelFormat::RGB,
    })
    .unwrap()
}

pub fn encode_png(img: &image::DynamicImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).unwrap().to_rgb8()
}

/// Inserts a marker segment (`marker` = 0xE1 for APP1 …) right after SOI.
pub fn insert_segment(jpeg: &[u8], marker: u8, payload: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8]);
    let len = u16::try_from(payload.len() + 2).unwrap();
    let mut out = Vec::with_capacity(jpeg.len() + payload.len() + 4);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A little-endian TIFF (EXIF) block: Make, Orientation and, when asked, a GPS IFD with a
/// latitude.
pub fn exif_tiff(orientation: u16, with_gps: bool) -> Vec<u8> {
    let make = b"DDHubCam\0";
    let entries: u16 = if with_gps { 3 } else { 2 };
    let ifd0_len = 2 + 12 * u32::from(entries) + 4;
    let make_off = 8 + ifd0_len;
    let gps_off = make_off + make.len() as u32;
    let gps_ifd_len = 2 + 12 * 2 + 4;
    let lat_off = gps_off + gps_ifd_len;

    let mut t = Vec::new();
    t.extend_from_slice(b"II*\0");
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&entries.to_le_bytes());
    let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: u32| {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&typ.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    };
    entry(&mut t, 0x010F, 2, make.len() as u32, make_off);
    entry(&mut t, 0x0112, 3, 1, u32::from(orientation));
    if with_gps {
        entry(&mut t, 0x8825, 4, 1, gps_off);
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(make);
    if with_gps {
        t.extend_from_slice(&2u16.to_le_bytes());
        entry(&mut t, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
        entry(&mut t, 0x0002, 5, 3, lat_off);
        t.extend_from_slice(&0u32.to_le_bytes());
        for (num, den) in [(37u32, 1u32), (34, 1), (1234, 100)] {
            t.extend_from_slice(&num.to_le_bytes());
            t.extend_from_slice(&den.to_le_bytes());
        }
    }
    t
}

pub fn with_exif(jpeg: &[u8], orientation: u16, with_gps: bool) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(exif_tiff(orientation, with_gps));
    insert_segment(jpeg, 0xE1, &payload)
}

/// Embeds `icc` in APP2 segments of at most 60 000 bytes each (large profiles span several).
pub fn with_icc(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    let chunks: Vec<&[u8]> = icc.chunks(60_000).collect();
    let count = u8::try_from(chunks.len()).unwrap();
    let mut out = jpeg.to_vec();
    // Inserted right after SOI one by one, so go backwards to keep them in order.
    for (i, chunk) in chunks.iter().enumerate().rev() {
        let mut payload = b"ICC_PROFILE\0".to_vec();
        payload.extend_from_slice(&[u8::try_from(i + 1).unwrap(), count]);
        payload.extend_from_slice(chunk);
        out = insert_segment(&out, 0xE2, &payload);
    }
    out
}

pub fn with_xmp(jpeg: &[u8]) -> Vec<u8> {
    let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
    payload.extend_from_slice(
        br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="37,34.2N"/></rdf:RDF></x:xmpmeta>"#,
    );
    insert_segment(jpeg, 0xE1, &payload)
}

pub fn with_iptc(jpeg: &[u8]) -> Vec<u8> {
    // Photoshop image resource block 0x0404 (IPTC-NAA) holding record 2:80 (By-line).
    let iptc = [&[0x1C, 0x02, 0x50, 0x00, 0x05][..], b"Kim H"].concat();
    let mut payload = b"Photoshop 3.0\0".to_vec();
    payload.extend_from_slice(b"8BIM");
    payload.extend_from_slice(&0x0404u16.to_be_bytes());
    payload.extend_from_slice(&[0, 0]);
    payload.extend_from_slice(&(iptc.len() as u32).to_be_bytes());
    payload.extend_from_slice(&iptc);
    if iptc.len() % 2 == 1 {
        payload.push(0);
    }
    insert_segment(jpeg, 0xED, &payload)
}

/// Only the given plain sizes, no profiles, JPEG only.
pub fn sizes_only(sizes: &[(&str, u32)]) -> Config {
    Config {
        sizes: sizes
            .iter()
            .map(|(n, l)| OutputSpec {
                formats: vec![OutputFormat::Jpeg],
                ..OutputSpec::new(n, *l)
            })
            .collect(),
        profiles: Vec::new(),
        ..Config::default()
    }
}

pub fn variant<'a>(photo: &'a NormalisedPhoto, name: &str, format: OutputFormat) -> &'a Variant {
    photo
        .variants
        .iter()
        .find(|v| v.name == name && v.format == format)
        .unwrap_or_else(|| panic!("no {name} {format:?} in {:?}", names(photo)))
}

pub fn names(photo: &NormalisedPhoto) -> Vec<(String, OutputFormat, u32, u32)> {
    photo
        .variants
        .iter()
        .map(|v| (v.name.clone(), v.format, v.width, v.height))
        .collect()
}

/// A photo-like test card: gradients plus a detailed pattern, so it is neither blank nor blurred.
pub fn test_card(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let check = ((x / 8 + y / 8) % 2) as u8 * 60;
        Rgb([
            (x * 255 / width.max(1)) as u8 / 2 + check,
            (y * 255 / height.max(1)) as u8 / 2 + check,
            128u8.wrapping_add(((x * 7 + y * 13) % 50) as u8),
        ])
    })
}

fn srgb_to_linear(v: f64) -> f64 {
    let v = v / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(v: f64) -> f64 {
    let v = v.clamp(0.0, 1.0);
    255.0
        * if v <= 0.003_130_8 {
            v * 12.92
        } else {
            1.055 * v.powf(1.0 / 2.4) - 0.055
        }
}

/// CIE L*a*b* (D65) of an sRGB colour.
pub fn lab(rgb: [f64; 3]) -> [f64; 3] {
    let [r, g, b] = rgb.map(srgb_to_linear);
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 0.008_856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIE76 ΔE between two sRGB colours.
pub fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
    let (a, b) = (lab(a), lab(b));
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Mean colour of a square of `r` pixels around (x, y).
pub fn mean_around(img: &RgbImage, x: u32, y: u32, r: u32) -> [f64; 3] {
    let mut sum = [0f64; 3];
    let mut n = 0.0;
    for yy in y.saturating_sub(r)..(y + r).min(img.height()) {
        for xx in x.saturating_sub(r)..(x + r).min(img.width()) {
            let p = img.get_pixel(xx, yy);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
            n += 1.0;
        }
    }
    sum.map(|s| s / n)
}
