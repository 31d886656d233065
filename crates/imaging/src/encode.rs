//! Encoders, fed pixels only, so no metadata (EXIF, XMP, IPTC, ICC) can reach an output:
//! JPEG through libjpeg-turbo, lossy WebP through libwebp.

use image::RgbImage;
use turbojpeg::{Compressor, PixelFormat, Subsamp};

use crate::ImageError;
use crate::config::{JpegSettings, WebpSettings};

/// A libjpeg-turbo compressor set up once per photo (baseline, 4:2:0 like libvips's default).
pub(crate) struct JpegEncoder {
    compressor: Compressor,
}

fn jpeg_err(e: turbojpeg::Error) -> ImageError {
    ImageError::Encode {
        format: "jpeg",
        message: e.to_string(),
    }
}

impl JpegEncoder {
    pub(crate) fn new(settings: &JpegSettings) -> Result<Self, ImageError> {
        let mut compressor = Compressor::new().map_err(jpeg_err)?;
        compressor
            .set_quality(i32::from(settings.quality.clamp(1, 100)))
            .map_err(jpeg_err)?;
        compressor.set_subsamp(Subsamp::Sub2x2).map_err(jpeg_err)?;
        compressor
            .set_optimize(settings.optimize_coding)
            .map_err(jpeg_err)?;
        compressor
            .set_progressive(settings.progressive)
            .map_err(jpeg_err)?;
        Ok(Self { compressor })
    }

    pub(crate) fn encode(&mut self, img: &RgbImage) -> Result<Vec<u8>, ImageError> {
        let width = img.width() as usize;
        let image = turbojpeg::Image {
            pixels: img.as_raw().as_slice(),
            width,
            pitch: width * 3,
            height: img.height() as usize,
            format: PixelFormat::RGB,
        };
        self.compressor.compress_to_vec(image).map_err(jpeg_err)
    }
}

/// Lossy WebP with libwebp (built from source with SSE4.1 by libwebp-sys).
pub(crate) fn webp(img: &RgbImage, settings: &WebpSettings) -> Result<Vec<u8>, ImageError> {
    let err = |message: String| ImageError::Encode {
        format: "webp",
        message,
    };
    let mut config = webp::WebPConfig::new().map_err(|()| err("libwebp config".into()))?;
    config.quality = settings.quality.clamp(0.0, 100.0);
    config.method = i32::from(settings.method.min(6));
    let encoder = webp::Encoder::from_rgb(img.as_raw(), img.width(), img.height());
    let memory = encoder
        .encode_advanced(&config)
        .map_err(|e| err(format!("{e:?}")))?;
    Ok(memory.to_vec())
}
