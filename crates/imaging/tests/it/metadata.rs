//! No metadata survives: GPS, every EXIF/XMP/IPTC field and ICC profiles are gone from every
//! output, JPEG and WebP.

use std::io::Cursor;

use ddhub_imaging::{Config, OutputFormat, normalise_bytes};
use moxcms::ColorProfile;

use crate::support::{encode_jpeg, test_card, with_exif, with_icc, with_iptc, with_xmp};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn tagged_source() -> Vec<u8> {
    let icc = ColorProfile::new_display_p3().encode().unwrap();
    let jpeg = encode_jpeg(&test_card(2000, 1500), 90);
    with_iptc(&with_xmp(&with_icc(&with_exif(&jpeg, 6, true), &icc)))
}

#[test]
fn source_fixture_really_carries_gps_xmp_iptc_icc() {
    let src = tagged_source();
    let exif = exif::Reader::new()
        .read_from_container(&mut Cursor::new(&src))
        .unwrap();
    assert!(
        exif.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
            .is_some()
    );
    assert!(exif.get_field(exif::Tag::Make, exif::In::PRIMARY).is_some());
    for needle in [
        &b"http://ns.adobe.com/xap"[..],
        b"Photoshop 3.0",
        b"ICC_PROFILE",
    ] {
        assert!(contains(&src, needle));
    }
}

#[test]
fn every_output_is_free_of_metadata() {
    let photo = normalise_bytes(&tagged_source(), &Config::default()).unwrap();
    assert!(photo.variants.len() >= 8, "{:?}", photo.variants.len());
    for v in &photo.variants {
        let what = format!("{} {:?}", v.name, v.format);
        let read = exif::Reader::new().read_from_container(&mut Cursor::new(&v.bytes));
        assert!(read.is_err(), "{what}: EXIF readable");
        for needle in [
            &b"Exif\0"[..],
            b"http://ns.adobe.com/xap",
            b"Photoshop 3.0",
            b"8BIM",
            b"ICC_PROFILE",
            b"DDHubCam",
            b"GPS",
        ] {
            assert!(!contains(&v.bytes, needle), "{what} contains {needle:?}");
        }
        match v.format {
            OutputFormat::Jpeg => {
                let jpeg = img_parts::jpeg::Jpeg::from_bytes(v.bytes.clone().into()).unwrap();
                for s in jpeg.segments() {
                    // Only APP0 (JFIF) may remain among the application segments.
                    let m = s.marker();
                    assert!(!(0xE1..=0xEF).contains(&m), "{what} has APP{}", m - 0xE0);
                }
            }
            OutputFormat::Webp => {
                let webp = img_parts::webp::WebP::from_bytes(v.bytes.clone().into()).unwrap();
                for chunk in webp.chunks() {
                    let id = chunk.id();
                    assert!(
                        !matches!(&id, b"EXIF" | b"XMP " | b"ICCP"),
                        "{what} has chunk {id:?}"
                    );
                }
            }
        }
    }
}
