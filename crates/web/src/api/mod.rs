//! bbn's JSON APIs: its own (`v1`, described by an OpenAPI document).

pub mod v1;
