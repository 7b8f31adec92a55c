//! JSON Web Tokens: decoding, the claim catalog and lint findings.

pub mod claims;
mod decode;
pub mod findings;
mod input;
mod json;
pub mod timefmt;

pub use decode::{
    decode_unverified, Claim, ClaimTime, DecodeError, DecodedToken, ErrorLocation, Segment,
    SegmentKind, TokenFormat, MAX_JSON_DEPTH, MAX_TOKEN_BYTES,
};
pub use findings::{Finding, Severity};
pub use input::normalize_token;
