//! JSON Web Keys (RFC 7517): parsing key material from every source, summaries and thumbprints.
