//! Stream filters needed to read cross-reference and object streams (ISO 32000-1 clause 7.4):
//! FlateDecode with the PNG and TIFF predictors of clause 7.4.4.4, Table 8.

use super::error::PdfError;
use super::object::{Dict, Object};

/// Decodes `raw` through the filters of `dict`, producing at most `limit` bytes.
pub(crate) fn decode(dict: &Dict, raw: &[u8], limit: usize) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<&[u8]> = match dict.get("Filter") {
        None => Vec::new(),
        Some(Object::Name(n)) => vec![n.as_bytes()],
        Some(Object::Array(a)) => a.iter().filter_map(Object::as_name).collect(),
        Some(_) => {
            return Err(PdfError::damaged(
                "stream /Filter is neither a name nor an array",
            ));
        }
    };
    let params: Vec<Option<&Dict>> = match dict.get("DecodeParms") {
        Some(Object::Dict(d)) => vec![Some(d)],
        Some(Object::Array(a)) => a.iter().map(Object::as_dict).collect(),
        _ => Vec::new(),
    };
    let mut data = raw.to_vec();
    if data.len() > limit {
        return Err(too_big(limit));
    }
    for (i, filter) in filters.iter().enumerate() {
        match *filter {
            b"FlateDecode" | b"Fl" => {
                data = inflate(&data, limit)?;
                if let Some(p) = params.get(i).copied().flatten() {
                    data = predict(&data, p)?;
                }
            }
            other => {
                return Err(PdfError::Unsupported(format!(
                    "stream filter /{} in a cross-reference or object stream",
                    String::from_utf8_lossy(other)
                )));
            }
        }
    }
    Ok(data)
}

fn too_big(limit: usize) -> PdfError {
    PdfError::damaged(format!(
        "a cross-reference or object stream decodes to more than {limit} bytes"
    ))
}

/// zlib (RFC 1950) inflate. A truncated stream or a bad checksum keeps what was decoded, as
/// viewers and validators do.
fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, PdfError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    match decompress_to_vec_zlib_with_limit(data, limit) {
        Ok(v) => Ok(v),
        Err(e) if e.status == TINFLStatus::HasMoreOutput => Err(too_big(limit)),
        Err(e) if !e.output.is_empty() => Ok(e.output),
        Err(e) => Err(PdfError::damaged(format!(
            "FlateDecode stream cannot be decoded ({:?})",
            e.status
        ))),
    }
}

/// Undoes a predictor (clause 7.4.4.4, Table 8): 2 is TIFF, 10 and above are PNG (RFC 2083
/// filter types, one tag byte per row).
fn predict(data: &[u8], params: &Dict) -> Result<Vec<u8>, PdfError> {
    let predictor = params.get_int("Predictor").unwrap_or(1);
    if predictor == 1 {
        return Ok(data.to_vec());
    }
    let colors = params.get_int("Colors").unwrap_or(1).clamp(1, 32) as usize;
    let bpc = params.get_int("BitsPerComponent").unwrap_or(8);
    let columns = params.get_int("Columns").unwrap_or(1).clamp(1, 1 << 20) as usize;
    if !matches!(bpc, 1 | 2 | 4 | 8 | 16) {
        return Err(PdfError::damaged(
            "predictor with invalid /BitsPerComponent",
        ));
    }
    let bpc = bpc as usize;
    let bpp = (colors * bpc).div_ceil(8);
    let row_len = (colors * bpc * columns).div_ceil(8);
    if row_len >= data.len() {
        return Ok(Vec::new());
    }
    match predictor {
        2 if bpc == 8 => Ok(tiff(data, row_len, bpp)),
        2 => Err(PdfError::Unsupported(
            "TIFF predictor with components other than 8 bits".into(),
        )),
        10..=15 => Ok(png(data, row_len, bpp)),
        _ => Err(PdfError::damaged(format!("unknown /Predictor {predictor}"))),
    }
}

fn tiff(data: &[u8], row_len: usize, bpp: usize) -> Vec<u8> {
    let mut out = data.to_vec();
    for row in out.chunks_mut(row_len) {
        for i in bpp..row.len() {
            row[i] = row[i].wrapping_add(row[i - bpp]);
        }
    }
    out
}

fn png(data: &[u8], row_len: usize, bpp: usize) -> Vec<u8> {
    let rows = data.len() / (row_len + 1);
    let mut out = Vec::with_capacity(rows * row_len);
    let mut prev = vec![0u8; row_len];
    for chunk in data.chunks(row_len + 1) {
        if chunk.len() < row_len + 1 {
            break;
        }
        let (tag, src) = (chunk[0], &chunk[1..]);
        let mut row = vec![0u8; row_len];
        for i in 0..row_len {
            let left = if i >= bpp { row[i - bpp] } else { 0 };
            let up = prev[i];
            let up_left = if i >= bpp { prev[i - bpp] } else { 0 };
            let predicted = match tag {
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => 0,
            };
            row[i] = src[i].wrapping_add(predicted);
        }
        out.extend_from_slice(&row);
        prev = row;
    }
    out
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::object::Name;

    #[test]
    fn png_up_predictor_round_trip() {
        // Two rows of three columns, "Up" filter (tag 2).
        let encoded = [2u8, 1, 0, 5, 2, 1, 1, 1];
        let mut params = Dict::new();
        params.set("Predictor", Object::Int(12));
        params.set("Columns", Object::Int(3));
        let mut dict = Dict::new();
        dict.set("DecodeParms", Object::Dict(params));
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&encoded, 6);
        dict.set("Filter", Object::Name(Name::new("FlateDecode")));
        let out = decode(&dict, &compressed, 1 << 20).unwrap();
        assert_eq!(out, vec![1, 0, 5, 2, 1, 6]);
    }

    #[test]
    fn bombs_are_capped() {
        let zeros = vec![0u8; 1 << 20];
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 9);
        let mut dict = Dict::new();
        dict.set("Filter", Object::Name(Name::new("FlateDecode")));
        assert!(decode(&dict, &compressed, 1000).is_err());
    }
}
