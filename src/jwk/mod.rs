//! JSON Web Keys (RFC 7517): parsing key material from every source, summaries and thumbprints.

mod generate;
mod key;
mod pem;
mod private;
mod signing_source;
mod store;
pub mod summary;
mod text;

pub use crate::jose::EcCurve;
pub use generate::{
    generate_key_pair, GenerateOptions, GeneratedKeyPair, KeySpec, PublicKeyExport, RSA_KEY_SIZES,
};
pub use key::{keys_from_jwks, KeyError, KeyMaterial, KeySource, VerificationKey};
pub use pem::{key_from_cert_der, key_from_pem};
pub use private::SigningKey;
pub use signing_source::SigningKeySource;
pub use store::{GeneratedKeys, PrivateKeyFormat, SigningKeyError, MAX_GENERATED_KEYS};
pub use text::{keys_from_text, secret_from_base64, MAX_KEY_TEXT_BYTES};
