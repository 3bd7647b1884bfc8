//! Metadata removal for the originals that are kept as uploaded. Cameras
//! and editors write where and when a picture was taken, the device and the
//! author's name into EXIF, XMP and text blocks; a reader must never get
//! them from bbn. PNG and WebP keep only the blocks needed to show the
//! picture (pixels, palette, transparency, colour, animation); a GIF is
//! rebuilt from its frames, still compressed, without its comments and
//! application blocks. Pixels are never re-compressed, so nothing is lost.

use img_parts::Bytes;
use img_parts::png::Png;
use img_parts::riff::RiffContent;
use img_parts::webp::WebP;

/// The PNG chunks that a picture needs to be shown as it was made: the
/// critical ones, transparency, colour and gamma, and APNG's animation.
/// Everything else (tEXt, zTXt, iTXt, eXIf, tIME, pHYs, private chunks) goes.
const PNG_KEPT: [&[u8; 4]; 14] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
    b"cICP", b"acTL", b"fcTL", b"fdAT",
];

/// The WebP chunks that carry the picture: the extended header, the
/// bitstreams, alpha, animation and the colour profile. EXIF and XMP go.
const WEBP_KEPT: [&[u8; 4]; 7] = [
    b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];

/// The VP8X header's flags that announce EXIF and XMP chunks.
const VP8X_EXIF_XMP: u8 = 0b0000_1100;

/// Why a file could not be cleaned: it does not hold together.
#[derive(Debug)]
pub struct Unreadable;

pub fn png(bytes: &[u8]) -> Result<Vec<u8>, Unreadable> {
    let mut png = Png::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| Unreadable)?;
    png.chunks_mut()
        .retain(|chunk| PNG_KEPT.contains(&&chunk.kind()));
    Ok(png.encoder().bytes().to_vec())
}

pub fn webp(bytes: &[u8]) -> Result<Vec<u8>, Unreadable> {
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(bytes)).map_err(|_| Unreadable)?;
    let chunks = webp.chunks_mut();
    chunks.retain(|chunk| WEBP_KEPT.contains(&&chunk.id()));
    // The extended header must not promise chunks that are gone.
    for chunk in chunks.iter_mut().filter(|c| &c.id() == b"VP8X") {
        if let RiffContent::Data(data) = chunk.content_mut()
            && let Some(flags) = data.first()
        {
            let mut header = data.to_vec();
            header[0] = flags & !VP8X_EXIF_XMP;
            *data = Bytes::from(header);
        }
    }
    Ok(webp.encoder().bytes().to_vec())
}

/// Rebuilds a GIF from its screen, palette, loop count and frames (their
/// compressed data copied as it is): comments, XMP and other application
/// blocks are not carried over.
pub fn gif(bytes: &[u8]) -> Result<Vec<u8>, Unreadable> {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options.read_info(bytes).map_err(|_| Unreadable)?;
    let palette = decoder.global_palette().unwrap_or(&[]).to_vec();
    let mut out = Vec::with_capacity(bytes.len());
    let mut encoder = gif::Encoder::new(&mut out, decoder.width(), decoder.height(), &palette)
        .map_err(|_| Unreadable)?;
    // A GIF without a loop block plays once (the decoder's default); one
    // with it keeps its count.
    let repeat = decoder.repeat();
    if repeat != gif::Repeat::Finite(0) {
        encoder.set_repeat(repeat).map_err(|_| Unreadable)?;
    }
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame().map_err(|_| Unreadable)? {
        encoder
            .write_lzw_pre_encoded_frame(frame)
            .map_err(|_| Unreadable)?;
        frames += 1;
    }
    if frames == 0 {
        return Err(Unreadable);
    }
    encoder.into_inner().map_err(|_| Unreadable)?;
    Ok(out)
}
