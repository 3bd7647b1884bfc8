//! The one decoder of urlencoded form bodies: a body whose text, once its
//! escapes are undone, is not UTF-8 is refused, never repaired, so what a
//! reader or staff member sent is what is stored, or nothing is.

/// Decodes a urlencoded body, refusing (rather than repairing) invalid UTF-8.
pub fn decode(body: &[u8]) -> Result<Vec<(String, String)>, ()> {
    fn unescape(s: &[u8]) -> Result<String, ()> {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            match s[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < s.len() => {
                    let hex = std::str::from_utf8(&s[i + 1..i + 3]).map_err(|_| ())?;
                    out.push(u8::from_str_radix(hex, 16).map_err(|_| ())?);
                    i += 2;
                }
                b'%' => return Err(()),
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).map_err(|_| ())
    }
    body.split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut kv = pair.splitn(2, |b| *b == b'=');
            let k = unescape(kv.next().unwrap_or_default())?;
            let v = unescape(kv.next().unwrap_or_default())?;
            Ok((k, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_forms_and_refuses_invalid_utf8() {
        assert_eq!(
            decode(b"name=Ana+Li&comment=caf%C3%A9%0A").unwrap(),
            [
                ("name".into(), "Ana Li".into()),
                ("comment".into(), "café\n".into())
            ]
        );
        assert!(decode(b"comment=%FF%FE").is_err());
        assert!(decode(b"comment=%4").is_err());
    }
}
