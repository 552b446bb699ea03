//! Database URLs in messages and logs, without their passwords.

/// The URL with any password replaced by `***` (`postgres://user:***@host/db`).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    // The authority ends at the first '/', '?' or '#'; credentials end at its last '@'.
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    let password = if userinfo.contains(':') { ":***" } else { "" };
    format!("{scheme}://{user}{password}{}", &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords_only() {
        assert_eq!(
            redact("postgres://firma:s3cr3t@db.example:5432/firma?sslmode=require"),
            "postgres://firma:***@db.example:5432/firma?sslmode=require"
        );
        assert_eq!(
            redact("postgres://firma@db/firma"),
            "postgres://firma@db/firma"
        );
        assert_eq!(redact("sqlite://data/firma.db"), "sqlite://data/firma.db");
        assert_eq!(redact("postgres://u:p@ss@h/db"), "postgres://u:***@h/db");
    }
}
