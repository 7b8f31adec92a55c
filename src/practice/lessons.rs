//! The lessons: one classic mistake or attack each, staged by the practice issuer so that
//! Tokenscope's checks can be seen catching it. One lesson at a time; none by default.

use serde::Serialize;

/// A mistake or attack the practice issuer can stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lesson {
    ExpiredIdToken,
    NbfFuture,
    WrongAudience,
    WrongIssuer,
    AlgNone,
    AlgConfusion,
    MissingKid,
    UnknownKey,
    WrongNonce,
    WrongAtHash,
    CsrfState,
    CodeReplay,
    RefreshReuse,
    SlowToken,
    #[serde(rename = "token-500")]
    Token500,
    IssuerMismatch,
}

/// What a lesson is and what it should look like in Tokenscope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LessonInfo {
    /// The `--lesson` name, e.g. `alg-none`.
    pub name: &'static str,
    /// One line for `--list-lessons` and pickers.
    pub summary: &'static str,
    /// The mistake or attack, and why it matters.
    pub explanation: &'static str,
    /// What Tokenscope shows when the lesson runs.
    pub what_you_see: &'static str,
    /// The ID token checks the lesson makes fail (`signature`, `aud`, …), and no others.
    pub failing_checks: &'static [&'static str],
    /// The error code the lesson makes a flow or discovery end with, when it is one.
    pub error_code: Option<&'static str>,
}

impl Lesson {
    /// Every lesson, in the order they are listed.
    pub const ALL: [Lesson; 16] = [
        Lesson::ExpiredIdToken,
        Lesson::NbfFuture,
        Lesson::WrongAudience,
        Lesson::WrongIssuer,
        Lesson::AlgNone,
        Lesson::AlgConfusion,
        Lesson::MissingKid,
        Lesson::UnknownKey,
        Lesson::WrongNonce,
        Lesson::WrongAtHash,
        Lesson::CsrfState,
        Lesson::CodeReplay,
        Lesson::RefreshReuse,
        Lesson::SlowToken,
        Lesson::Token500,
        Lesson::IssuerMismatch,
    ];

    /// The lesson called `name` (its `--lesson` name).
    pub fn parse(name: &str) -> Option<Lesson> {
        Lesson::ALL.into_iter().find(|l| l.name() == name)
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The lesson's name, summary, explanation and expected outcome.
    pub fn info(self) -> LessonInfo {
        let (name, summary, explanation, what_you_see, failing_checks, error_code): (
            _,
            _,
            _,
            _,
            &'static [&'static str],
            _,
        ) = match self {
            Lesson::ExpiredIdToken => (
                "expired-id-token",
                "the ID token expired ten minutes ago",
                "The issuer hands out an ID token whose exp is in the past. Clients that skip the \
                 expiry check, or allow hours of clock skew, accept a token that should be dead, \
                 so a stolen or replayed token keeps working (OIDC Core §3.1.3.7 step 9, RFC 7519 \
                 §4.1.4).",
                "The flow's ID token checks: exp fails (expired 10 min ago); the signature and \
                 every other check pass.",
                &["exp"],
                None,
            ),
            Lesson::NbfFuture => (
                "nbf-future",
                "the ID token is not valid before an hour from now",
                "The ID token carries nbf one hour in the future, as a provider with a fast clock \
                 would produce. A client must not accept a token before its nbf (RFC 7519 §4.1.5); \
                 one that ignores nbf accepts tokens meant for later.",
                "The flow's ID token checks: nbf fails (not valid for another hour); the rest \
                 pass.",
                &["nbf"],
                None,
            ),
            Lesson::WrongAudience => (
                "wrong-audience",
                "the ID token is addressed to another client",
                "The ID token's aud names another client. A client that does not check aud \
                 accepts tokens minted for someone else: a malicious app that obtained a user's \
                 token for itself can replay it to your app and log in as the user (OIDC Core \
                 §3.1.3.7 step 3).",
                "The flow's ID token checks: aud fails (the client id is not in aud).",
                &["aud"],
                None,
            ),
            Lesson::WrongIssuer => (
                "wrong-issuer",
                "the ID token names another issuer",
                "The ID token's iss is not the issuer the client talked to. Clients must compare \
                 iss exactly with the discovered issuer (OIDC Core §3.1.3.7 step 2); without it, \
                 a token from any provider that shares keys or is trusted elsewhere is accepted.",
                "The flow's ID token checks: iss fails (expected the practice issuer's URL).",
                &["iss"],
                None,
            ),
            Lesson::AlgNone => (
                "alg-none",
                "the ID token is unsigned (alg none)",
                "The ID token has alg \"none\" and no signature. A library that trusts the \
                 token's own alg header accepts it, and then anyone can forge any identity \
                 (RFC 8725 §2.1, §3.1). Clients must fix the algorithms they accept.",
                "The flow's ID token checks: signature and alg fail (an unsigned token is \
                 refused, and \"none\" is never accepted), and at_hash cannot be checked without \
                 an algorithm to hash with; the claims themselves pass.",
                &["signature", "alg", "at_hash"],
                None,
            ),
            Lesson::AlgConfusion => (
                "alg-confusion",
                "HS256 signed with the issuer's RSA public key as the secret",
                "The ID token is HS256, its HMAC secret the RSA public key in PEM form, its kid \
                 the RSA key's. A library that picks the algorithm from the token and the key by \
                 kid verifies it with the public key as an HMAC secret, and the public key is \
                 public: anyone can forge tokens (RFC 8725 §2.1, §3.1, CVE-2015-9235).",
                "The flow's ID token checks: signature fails (HS256 does not fit the RSA key the \
                 kid names) and alg fails (an HMAC algorithm where the issuer's keys are \
                 asymmetric); the claims pass.",
                &["signature", "alg"],
                None,
            ),
            Lesson::MissingKid => (
                "missing-kid",
                "several keys fit, and the ID token has no kid",
                "The JWKS publishes two RSA keys and the ID token's header has no kid. Many \
                 clients give up (\"multiple matching keys\") or pick the first and fail; a \
                 provider with several keys must put kid in the header (RFC 7515 §4.1.4, OIDC \
                 Core §10.1).",
                "The flow passes, but the signature check says no kid was in the header and how \
                 many keys had to be tried before one matched.",
                &[],
                None,
            ),
            Lesson::UnknownKey => (
                "unknown-key",
                "the ID token is signed with a key not in the JWKS",
                "The ID token is signed with a key the issuer does not publish (a rogue key, or a \
                 rotation that forgot the JWKS). Its kid names no key in the JWKS, so nothing can \
                 verify it; a client that fetches keys from the token's own jku or jwk header \
                 would accept the attacker's key (RFC 8725 §3.10).",
                "The flow's ID token checks: signature fails (no key has the token's kid).",
                &["signature"],
                None,
            ),
            Lesson::WrongNonce => (
                "wrong-nonce",
                "the ID token's nonce is not the one sent",
                "The ID token carries a nonce other than the one in the authorization request: \
                 what a replayed or injected ID token from another login looks like. The client \
                 must compare nonce with the value it stored (OIDC Core §3.1.3.7 step 11, §15.5.2).",
                "The flow's ID token checks: nonce fails.",
                &["nonce"],
                None,
            ),
            Lesson::WrongAtHash => (
                "wrong-at-hash",
                "the ID token's at_hash does not match the access token",
                "The ID token's at_hash is the hash of another access token: the access token \
                 was swapped in transit, or the provider hashed the wrong thing. at_hash binds \
                 the two tokens together (OIDC Core §3.1.3.8, §3.2.2.9).",
                "The flow's ID token checks: at_hash fails.",
                &["at_hash"],
                None,
            ),
            Lesson::CsrfState => (
                "csrf-state",
                "the redirect carries a state the client never sent",
                "The authorization response comes back with another state, as a login CSRF \
                 would: an attacker sends the victim's browser a redirect with the attacker's \
                 own code, to log the victim into the attacker's account. The client must refuse \
                 a response whose state is not the one it stored (RFC 6749 §10.12, RFC 9700 \
                 §4.7).",
                "The loopback listener refuses the redirect (400, state mismatch) and keeps \
                 waiting; the flow ends with oauth.redirect_timeout, the refused redirect in its \
                 timeline.",
                &[],
                Some("oauth.redirect_timeout"),
            ),
            Lesson::CodeReplay => (
                "code-replay",
                "an attacker redeems the code before the client does",
                "The issuer plays an attacker who intercepted the authorization code and \
                 redeemed it first. Codes are single use: the client's own exchange is a replay, \
                 refused with invalid_grant, and the tokens issued for the code are revoked \
                 (RFC 6749 §4.1.2, §10.5; RFC 9700 §4.5).",
                "The token step fails with invalid_grant (the code was already used); exit 1.",
                &[],
                Some("oauth.error_response"),
            ),
            Lesson::RefreshReuse => (
                "refresh-reuse",
                "an attacker rotates the refresh token first",
                "The issuer plays an attacker who stole the refresh token and used it first, \
                 rotating it. When the client then presents its (now rotated-out) refresh token, \
                 the issuer sees a rotated token reused and revokes the whole family, the \
                 attacker's new token included (RFC 9700 §4.14.2).",
                "The code flow succeeds; the next refresh fails with invalid_grant and the \
                 refresh token is deleted from the keychain; exit 1.",
                &[],
                Some("oauth.error_response"),
            ),
            Lesson::SlowToken => (
                "slow-token",
                "the token endpoint answers after 20 s",
                "The token endpoint takes longer than the client's 15 s timeout. Clients without \
                 timeouts hang for ever on a slow or malicious server; every network call needs \
                 a bound.",
                "The token step fails with http.timeout after 15 s; exit 2.",
                &[],
                Some("http.timeout"),
            ),
            Lesson::Token500 => (
                "token-500",
                "the token endpoint fails with 500 and an HTML page",
                "The token endpoint answers 500 Internal Server Error with an HTML body, not the \
                 JSON error object of RFC 6749 §5.2. Clients must not try to read tokens out of \
                 it, and should show what came back.",
                "The token step fails with oauth.invalid_response (status 500, not JSON); exit 2.",
                &[],
                Some("oauth.invalid_response"),
            ),
            Lesson::IssuerMismatch => (
                "issuer-mismatch",
                "the discovery document names another issuer",
                "The metadata's issuer is http://localhost:<port>, not the http://127.0.0.1:<port> \
                 it was fetched from. The two must be identical, character for character, or an \
                 attacker's metadata could impersonate another provider (OIDC Discovery §4.3, \
                 RFC 8414 §3.3, and the mix-up attack of RFC 9207).",
                "discover reports the issuer-mismatch error finding (exit 1); flows stop at the \
                 discovery step with oauth.issuer_mismatch.",
                &[],
                Some("oauth.issuer_mismatch"),
            ),
        };
        LessonInfo {
            name,
            summary,
            explanation,
            what_you_see,
            failing_checks,
            error_code,
        }
    }
}

impl std::fmt::Display for Lesson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_parses_from_its_own_name() {
        for lesson in Lesson::ALL {
            assert_eq!(Lesson::parse(lesson.name()), Some(lesson));
            let json = serde_json::to_value(lesson).unwrap();
            assert_eq!(json, lesson.name());
        }
        assert_eq!(Lesson::parse("nope"), None);
    }

    #[test]
    fn every_failing_check_is_a_check_of_the_verification_core() {
        for lesson in Lesson::ALL {
            for name in lesson.info().failing_checks {
                assert!(
                    crate::jwt::verify::CheckName::parse(name).is_some(),
                    "{lesson}: {name}"
                );
            }
        }
    }
}
