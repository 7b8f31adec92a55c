//! OAuth 2.0 / OpenID Connect flows, on the `oauth2` crate. The code flow and refresh
//! ([`flow`]), the other grants and token operations ([`grants`]), the requests to the provider's
//! endpoints ([`token`]), the timeline they fill ([`timeline`]), and the code flow's pieces: the
//! per-flow secrets ([`pkce`]), the authorization URL ([`authorize`]), the RFC 8252 loopback
//! redirect listener ([`loopback`]) and the checks of what it brings back ([`response`]).
//!
//! Above `vault/` and the network layers: nothing else in the crate imports this module.

pub mod authorize;
pub mod export;
pub mod flow;
pub mod grants;
pub mod loopback;
pub mod pkce;
pub mod response;
pub mod timeline;
pub mod token;
