//! Files a patient sends (photos of an insurance card or ID, drawn signatures): recognised by
//! their content, never by the name or type the browser sends, then decoded and re-encoded so
//! that nothing but the pixels survives (EXIF with GPS position, camera serials, comments).
//!
//! Pure and synchronous: the caller runs it off the async executor (decoding a phone photo
//! takes tens of milliseconds).

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, codecs::jpeg::JpegEncoder,
};
use ring::digest;

use crate::forms::AttachmentRules;
// Why a file was refused: the core's type, since the engine turns it into the field's problem.
pub use crate::engine::MediaError;

/// The longest side a stored photo keeps: enough to read a card's small print, small enough
/// for a staff page. The browser scales down to the same size before sending when it can.
pub const LONGEST_SIDE: u32 = 2000;

/// JPEG quality of a re-encoded photo.
const JPEG_QUALITY: u8 = 85;

/// The most pixels a file may claim before it is decoded (a small file can declare a huge
/// image; decoding it would take the server's memory).
const MAX_PIXELS: u64 = 50_000_000;

/// A kind of file Intake can recognise and clean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `image/jpeg`.
    Jpeg,
    /// `image/png`.
    Png,
}

impl MediaType {
    /// What the content is, from its first bytes (its magic number).
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else {
            None
        }
    }

    /// The media type's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    fn format(self) -> ImageFormat {
        match self {
            Self::Jpeg => ImageFormat::Jpeg,
            Self::Png => ImageFormat::Png,
        }
    }
}

/// A file as stored: re-encoded, without metadata.
#[derive(Clone, PartialEq, Eq)]
pub struct CleanFile {
    /// The content's kind.
    pub media_type: MediaType,
    /// The re-encoded bytes.
    pub bytes: Vec<u8>,
    /// SHA-1 of `bytes`, base64, as FHIR's `Attachment.hash` holds it.
    pub sha1: String,
}

impl std::fmt::Debug for CleanFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CleanFile")
            .field("media_type", &self.media_type)
            .field("size", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Checks `bytes` against `rules` by size and content, and re-encodes it: turned upright as
/// its EXIF orientation says (the only metadata that changes what a person sees), scaled to
/// at most [`LONGEST_SIDE`], and written without any metadata.
pub fn clean(bytes: &[u8], rules: &AttachmentRules) -> Result<CleanFile, MediaError> {
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > rules.max_size {
        return Err(MediaError::TooLarge);
    }
    let media_type = MediaType::sniff(bytes)
        .filter(|m| rules.accepts(m.as_str()))
        .ok_or(MediaError::WrongType)?;
    let image = decode(bytes, media_type).ok_or(MediaError::Unreadable)?;
    let image = if image.width().max(image.height()) > LONGEST_SIDE {
        image.resize(
            LONGEST_SIDE,
            LONGEST_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        image
    };
    let bytes = encode(&image, media_type).ok_or(MediaError::Unreadable)?;
    Ok(CleanFile {
        media_type,
        sha1: sha1_base64(&bytes),
        bytes,
    })
}

/// SHA-1, base64: what FHIR `Attachment.hash` holds (SHA-1 is what the element is defined as).
pub fn sha1_base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let digest = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, bytes);
    base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
}

fn decode(bytes: &[u8], media_type: MediaType) -> Option<DynamicImage> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), media_type.format());
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return None;
    }
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).ok()?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    Some(image)
}

fn encode(image: &DynamicImage, media_type: MediaType) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match media_type {
        MediaType::Jpeg => {
            // JPEG has no alpha: a transparent PNG drawn onto JPEG would fail to encode.
            let rgb = image.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&rgb)
                .ok()?;
        }
        MediaType::Png => image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .ok()?,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(max_size: u64) -> AttachmentRules {
        AttachmentRules {
            max_size,
            ..AttachmentRules::default()
        }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::new_rgb8(width, height);
        let mut out = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn a_file_is_known_by_its_first_bytes_not_its_name() {
        assert_eq!(
            MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(MediaType::Jpeg)
        );
        assert_eq!(MediaType::sniff(&png(1, 1)), Some(MediaType::Png));
        assert_eq!(MediaType::sniff(b"%PDF-1.7"), None);
        assert_eq!(MediaType::sniff(b"GIF89a"), None);
    }

    #[test]
    fn a_file_over_the_items_size_is_refused_before_it_is_decoded() {
        assert_eq!(clean(&png(10, 10), &rules(10)), Err(MediaError::TooLarge));
    }

    #[test]
    fn a_type_the_item_does_not_take_is_refused() {
        let only_jpeg = AttachmentRules {
            mime_types: vec!["image/jpeg".into()],
            ..AttachmentRules::default()
        };
        assert_eq!(clean(&png(4, 4), &only_jpeg), Err(MediaError::WrongType));
        assert_eq!(
            clean(b"%PDF-1.7 ...", &rules(1000)),
            Err(MediaError::WrongType)
        );
    }

    #[test]
    fn a_file_that_starts_like_an_image_but_is_not_one_is_unreadable() {
        let mut broken = png(4, 4);
        broken.truncate(20);
        assert_eq!(clean(&broken, &rules(1000)), Err(MediaError::Unreadable));
    }

    #[test]
    fn a_large_photo_is_scaled_to_the_longest_side_and_keeps_its_kind() {
        let clean = clean(&png(LONGEST_SIDE * 2, 10), &rules(u64::MAX)).unwrap();
        assert_eq!(clean.media_type, MediaType::Png);
        let image = image::load_from_memory(&clean.bytes).unwrap();
        assert_eq!(image.width(), LONGEST_SIDE);
        assert_eq!(clean.sha1, sha1_base64(&clean.bytes));
    }
}
