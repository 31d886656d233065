//! Content hashes: SHA-256 of the source bytes (exact duplicates) and a perceptual hash
//! (near-duplicates across styles and wholesalers).

use image::{DynamicImage, RgbImage};
use image_hasher::{HashAlg, HasherConfig, ImageHash};
use sha2::{Digest, Sha256};

use crate::ImageError;

/// Two photos whose perceptual hashes differ in at most this many of 64 bits are reported as
/// near-duplicates (same photo re-encoded, resized or lightly cropped).
pub const NEAR_DUPLICATE_MAX_DISTANCE: u32 = 10;

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// 64-bit DCT-preprocessed gradient hash (image_hasher), base64, from the upright sRGB pixels.
pub fn perceptual_hash(img: &RgbImage) -> String {
    let hasher = HasherConfig::new()
        .hash_size(8, 8)
        .hash_alg(HashAlg::Gradient)
        .preproc_dct()
        .to_hasher();
    // image_hasher wants an image crate type; the copy is of the smallest output only.
    hasher
        .hash_image(&DynamicImage::ImageRgb8(img.clone()))
        .to_base64()
}

/// Hamming distance between two hashes from [`perceptual_hash`].
pub fn phash_distance(a: &str, b: &str) -> Result<u32, ImageError> {
    let parse = |s: &str| {
        ImageHash::<Box<[u8]>>::from_base64(s)
            .map_err(|e| ImageError::Internal(format!("not a perceptual hash: {e:?}")))
    };
    Ok(parse(a)?.dist(&parse(b)?))
}

/// True when two perceptual hashes are within [`NEAR_DUPLICATE_MAX_DISTANCE`].
pub fn is_near_duplicate(a: &str, b: &str) -> Result<bool, ImageError> {
    Ok(phash_distance(a, b)? <= NEAR_DUPLICATE_MAX_DISTANCE)
}
