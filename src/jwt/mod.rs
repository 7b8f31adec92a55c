//! JSON Web Tokens: decoding, the claim catalog and lint findings.

pub mod claims;
mod decode;
pub mod diff;
pub mod encode;
pub mod findings;
mod input;
mod json;
pub mod verify;

pub use decode::{
    decode_unverified, Claim, ClaimTime, DecodeError, DecodedToken, ErrorLocation, Segment,
    SegmentKind, TokenFormat, MAX_JSON_DEPTH, MAX_TOKEN_BYTES,
};
pub use diff::{
    align_members, compare_tokens, diff_json, diff_tokens, AlignedRow, Change, ChangeKind, Compare,
    LifetimeComparison, RowState, TokenComparison, TokenDiff,
};
pub use encode::{
    encode_json, encode_token, sign_segments, sign_with_key_source, EncodeAlg, EncodeError,
    EncodeOptions, EncodedToken, KidChoice,
};
pub use findings::{Finding, FindingCode, Severity};
pub use input::normalize_token;
pub(crate) use json::json_kind;
