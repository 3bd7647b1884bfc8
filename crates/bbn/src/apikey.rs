//! `bbn apikey …`: keys for bbn's APIs from the shell (content keys for the
//! Ghost-compatible Content API, staff tokens for bbn's own API), on the
//! site named by the usual `--data-dir` / `--database-url` options.

use crate::cli::ApikeyCommand;
use crate::config::Config;
use anyhow::{anyhow, bail};
use bbn_core::Role;
use bbn_store::{ApiKeyKind, NewApiKey, StoreError};

fn date(unix: i64) -> String {
    bbn_core::time::rfc3339_utc(unix)
}

pub async fn run(config: Config, cmd: ApikeyCommand) -> anyhow::Result<()> {
    let store = crate::serve::open_store(&config).await?;
    match cmd {
        ApikeyCommand::Add {
            name,
            kind,
            user,
            role,
        } => {
            let kind = ApiKeyKind::parse(&kind)
                .ok_or_else(|| anyhow!("unknown kind {kind:?}: use content or staff"))?;
            let (user_id, role) = match kind {
                ApiKeyKind::Content => {
                    if user.is_some() || role.is_some() {
                        bail!("--user and --role are for staff tokens (--kind staff)");
                    }
                    (None, None)
                }
                ApiKeyKind::Staff => {
                    let email = user.ok_or_else(|| anyhow!("a staff token needs --user EMAIL"))?;
                    let (account, _) = store
                        .user_for_sign_in(&email)
                        .await?
                        .ok_or_else(|| anyhow!("no account has the email {email}"))?;
                    let role = match role {
                        Some(r) => Role::parse(&r).ok_or_else(|| {
                            anyhow!("unknown role {r:?}: use contributor, author, editor or admin")
                        })?,
                        None => account.role,
                    };
                    (Some(account.id), Some(role))
                }
            };
            let issued = match store
                .create_api_key(&NewApiKey {
                    name,
                    kind,
                    user_id,
                    role,
                    created_by: None,
                })
                .await
            {
                Ok(issued) => issued,
                Err(StoreError::Invalid(errors)) => bail!(
                    "{}",
                    errors
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                Err(e) => return Err(e.into()),
            };
            eprintln!(
                "Created {} key {} (shown once; only its hash is kept):",
                kind.as_str(),
                issued.id
            );
            // The key alone on standard output, so that scripts can capture it.
            println!("{}", issued.key);
        }
        ApikeyCommand::List => {
            let keys = store.api_keys().await?;
            if keys.is_empty() {
                println!("No API keys.");
            }
            for k in keys {
                let who = match (&k.user, k.role) {
                    (Some((_, name, _)), Some(role)) => format!(" for {name} as {}", role.as_str()),
                    _ => String::new(),
                };
                let state = match k.revoked_at {
                    Some(t) => format!("revoked {}", date(t)),
                    None => "active".to_string(),
                };
                let used = k.last_used_at.map_or_else(
                    || "never used".to_string(),
                    |t| format!("last used {}", date(t)),
                );
                println!(
                    "{}\t{}\t{}{who}\t…{}\tcreated {}\t{used}\t{state}",
                    k.id,
                    k.name,
                    k.kind.as_str(),
                    k.hint,
                    date(k.created_at)
                );
            }
        }
        ApikeyCommand::Revoke { id } => match store.revoke_api_key(id).await {
            Ok(()) => println!("Key {id} revoked; it stops working at once."),
            Err(StoreError::NotFound) => bail!("there is no key {id}"),
            Err(e) => return Err(e.into()),
        },
    }
    store.close().await;
    Ok(())
}
