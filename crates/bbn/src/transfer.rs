//! `bbn export FILE.json` and `bbn import json FILE.json`.

use crate::config::Config;
use std::path::Path;

pub async fn export(_config: Config, _file: &Path) -> anyhow::Result<()> {
    anyhow::bail!("bbn export is not built yet")
}

pub async fn import(_config: Config, _file: &Path) -> anyhow::Result<()> {
    anyhow::bail!("bbn import json is not built yet")
}
