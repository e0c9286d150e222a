//! The crypto-session protocol v2 (`docs/PROTOCOL-v2.md` in the repository).
//!
//! - [`replay`]: the replay stores of steps 5-6 of the server checks.

pub mod replay;
