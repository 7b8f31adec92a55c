//! OAuth 2.0 / OpenID Connect flows, built on the `oauth2` crate's types. So far the pieces of an
//! authorization code flow before the token request: the per-flow secrets ([`pkce`]), the
//! authorization URL ([`authorize`]), the RFC 8252 loopback redirect listener ([`loopback`]) and
//! the checks of what it brings back ([`response`]: RFC 9207 `iss`, what an `error` usually means).
//!
//! Above `vault/` and the network layers: nothing else in the crate imports this module.

pub mod authorize;
pub mod flow;
pub mod loopback;
pub mod pkce;
pub mod response;
pub mod timeline;
pub mod token;
