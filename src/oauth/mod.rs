//! OAuth 2.0 / OpenID Connect flows, built on the `oauth2` crate's types. So far the pieces of an
//! authorization code flow before the token request: the per-flow secrets ([`pkce`]), the
//! authorization URL ([`authorize`]) and the RFC 8252 loopback redirect listener ([`loopback`]).
//!
//! Above `vault/` and the network layers: nothing else in the crate imports this module.

pub mod authorize;
pub mod loopback;
pub mod pkce;
