//! JOSE primitives every higher layer shares: the algorithms and what each needs of a key, the
//! base64url codec, and the renderings of NumericDates. The bottom layer: nothing here imports
//! another module of the crate.

pub mod alg;
pub mod b64;
pub mod timefmt;

pub use alg::{JwsAlg, KeyFamily};
