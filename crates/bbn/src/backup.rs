//! `bbn backup DIR` and `bbn restore DIR`.

use crate::config::Config;
use std::path::Path;

pub async fn backup(_config: Config, _dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("bbn backup is not built yet")
}

pub async fn restore(_config: Config, _dir: &Path) -> anyhow::Result<()> {
    anyhow::bail!("bbn restore is not built yet")
}
