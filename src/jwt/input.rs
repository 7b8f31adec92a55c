//! Turning what people paste into a bare compact token.

/// Strips what commonly surrounds a pasted token: whitespace and newlines, matching quotes, a
/// `Bearer ` prefix (any case) and a whole `Authorization: Bearer …` header line.
pub fn normalize_token(input: &str) -> &str {
    let mut s = input.trim();
    s = strip_quotes(s).trim();
    if let Some((name, rest)) = s.split_once(':') {
        if name.trim().eq_ignore_ascii_case("authorization") {
            s = strip_quotes(rest.trim()).trim();
        }
    }
    if let Some(rest) = strip_prefix_ignore_case(s, "bearer") {
        if rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace()) {
            s = rest.trim_start();
        }
    }
    strip_quotes(s).trim()
}

fn strip_quotes(s: &str) -> &str {
    for q in ['"', '\'', '`'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::normalize_token;

    #[test]
    fn strips_whitespace_quotes_and_bearer_in_any_case() {
        assert_eq!(normalize_token("  a.b.c \n"), "a.b.c");
        assert_eq!(normalize_token("\"a.b.c\""), "a.b.c");
        assert_eq!(normalize_token("'a.b.c'"), "a.b.c");
        assert_eq!(normalize_token("Bearer a.b.c"), "a.b.c");
        assert_eq!(normalize_token("bEaReR\ta.b.c"), "a.b.c");
        assert_eq!(normalize_token("\"Bearer a.b.c\"\n"), "a.b.c");
    }

    #[test]
    fn strips_a_whole_authorization_header_line() {
        assert_eq!(normalize_token("Authorization: Bearer a.b.c\r\n"), "a.b.c");
        assert_eq!(normalize_token("authorization:bearer   a.b.c"), "a.b.c");
    }

    #[test]
    fn leaves_a_word_that_merely_starts_with_bearer() {
        assert_eq!(normalize_token("bearerx.y.z"), "bearerx.y.z");
    }
}
