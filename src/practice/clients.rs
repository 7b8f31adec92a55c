//! The preset clients and the redirect URI rule.

use url::Url;

use crate::secret::Secret;

/// `practice-native`: public, PKCE, any loopback redirect port, code, refresh and device grants.
pub const NATIVE_CLIENT_ID: &str = "practice-native";
/// `practice-service`: confidential, client credentials.
pub const SERVICE_CLIENT_ID: &str = "practice-service";
/// `practice-service`'s secret (a practice issuer has no secrets worth keeping).
pub const SERVICE_CLIENT_SECRET: &str = "practice-service-secret";

/// The redirect URIs `practice-native` registers; any port on these loopback hosts matches
/// (RFC 8252 §7.3).
pub(super) const NATIVE_REDIRECTS: [&str; 3] = [
    "http://127.0.0.1/callback",
    "http://[::1]/callback",
    "http://localhost/callback",
];

#[derive(Debug)]
pub(super) struct Client {
    pub(super) id: &'static str,
    /// `None` for a public client.
    pub(super) secret: Option<Secret>,
    pub(super) grant_types: &'static [&'static str],
    pub(super) redirect_uris: &'static [&'static str],
}

pub(super) fn preset_clients() -> Vec<Client> {
    vec![
        Client {
            id: NATIVE_CLIENT_ID,
            secret: None,
            grant_types: &[
                "authorization_code",
                "refresh_token",
                "urn:ietf:params:oauth:grant-type:device_code",
            ],
            redirect_uris: &NATIVE_REDIRECTS,
        },
        Client {
            id: SERVICE_CLIENT_ID,
            secret: Some(Secret::new(SERVICE_CLIENT_SECRET)),
            grant_types: &["client_credentials"],
            redirect_uris: &[],
        },
    ]
}

impl Client {
    pub(super) fn is_public(&self) -> bool {
        self.secret.is_none()
    }

    pub(super) fn allows(&self, grant: &str) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Exact string matching (RFC 9700 §4.1.3), except the port of a loopback redirect of a
    /// public native client (RFC 8252 §7.3).
    pub(super) fn redirect_matches(&self, given: &str) -> bool {
        if self.redirect_uris.contains(&given) {
            return true;
        }
        if !self.is_public() {
            return false;
        }
        let Ok(url) = Url::parse(given) else {
            return false;
        };
        if url.scheme() != "http" || url.port().is_none() {
            return false;
        }
        let mut portless = url.clone();
        if portless.set_port(None).is_err() {
            return false;
        }
        // `Url` normalises; compare with the text as given (no userinfo, query or fragment).
        let rebuilt = portless.as_str();
        given.len() < 2048
            && url.username().is_empty()
            && url.password().is_none()
            && url.fragment().is_none()
            && url.query().is_none()
            && self.redirect_uris.contains(&rebuilt)
            && given
                == format!(
                    "http://{}:{}{}",
                    url.host_str().unwrap_or(""),
                    url.port().unwrap_or(0),
                    url.path()
                )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_on_any_port_and_nothing_else_does() {
        let clients = preset_clients();
        let native = &clients[0];
        assert!(native.redirect_matches("http://127.0.0.1:54321/callback"));
        assert!(native.redirect_matches("http://[::1]:8080/callback"));
        assert!(native.redirect_matches("http://localhost:1234/callback"));
        assert!(native.redirect_matches("http://127.0.0.1/callback"));
        for bad in [
            "http://127.0.0.1:54321/callback/",
            "http://127.0.0.1:54321/other",
            "http://127.0.0.2:54321/callback",
            "https://127.0.0.1:54321/callback",
            "http://127.0.0.1:54321/callback?x=1",
            "http://user@127.0.0.1:54321/callback",
            "http://127.0.0.1:054321/callback",
            "http://evil.example/callback",
        ] {
            assert!(!native.redirect_matches(bad), "{bad}");
        }
        assert!(!clients[1].redirect_matches("http://127.0.0.1:1/callback"));
    }
}
