//! `bbn import wordpress FILE.xml`.

use crate::config::Config;
use std::path::Path;

pub async fn run(
    _config: Config,
    _file: &Path,
    _media_dir: Option<&Path>,
    _dry_run: bool,
) -> anyhow::Result<()> {
    anyhow::bail!("bbn import wordpress is not built yet")
}
