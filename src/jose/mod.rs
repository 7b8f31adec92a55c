//! JOSE primitives every higher layer shares: the algorithms and what each needs of a key, key
//! types and curves, the base64url codec, and the renderings of NumericDates. The bottom layer:
//! nothing here imports another module of the crate but the `string_enum!` macro.

pub mod alg;
pub mod b64;
pub mod key_type;
pub mod timefmt;

pub use alg::{JwsAlg, KeyFamily};
pub use key_type::{Curve, EcCurve, KeyType};
