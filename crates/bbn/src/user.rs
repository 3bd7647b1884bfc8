//! `bbn user …`: staff accounts from the shell, on the site named by the usual
//! `--data-dir` / `--database-url` options.

use crate::cli::UserCommand;
use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use bbn_core::{Role, password};
use bbn_store::{NewUser, StoreError};
use std::io::{BufRead, IsTerminal};

/// A password from piped standard input, or a generated one (and whether it was generated).
fn obtain_password(email: &str) -> anyhow::Result<(String, bool)> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let bytes: [u8; 15] = rand::random();
        let alphabet = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let generated: String = bytes
            .iter()
            .map(|b| alphabet[*b as usize % alphabet.len()] as char)
            .collect();
        return Ok((generated, true));
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let typed = line.trim_end_matches(['\r', '\n']).to_string();
    password::check_strength(&typed, email).map_err(|m| anyhow!("password refused: {m}"))?;
    Ok((typed, false))
}

pub async fn run(config: Config, cmd: UserCommand) -> anyhow::Result<()> {
    let store = crate::serve::open_store(&config).await?;
    match cmd {
        UserCommand::Add { email, name, role } => {
            let role = Role::parse(&role).ok_or_else(|| {
                anyhow!("unknown role {role:?}: use contributor, author, editor or admin")
            })?;
            let (pw, generated) = obtain_password(&email)?;
            let hash = password::hash(&pw).map_err(|e| anyhow!(e))?;
            match store
                .create_user(&NewUser {
                    email: email.clone(),
                    name,
                    role,
                    password_hash: Some(hash),
                })
                .await
            {
                Ok(_) => {}
                Err(StoreError::Conflict { .. }) => {
                    bail!("an account with the email {email} exists already")
                }
                Err(StoreError::Invalid(errors)) => {
                    bail!(
                        "{}",
                        errors
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
                Err(e) => return Err(e.into()),
            }
            println!("Created {} account for {email}.", role.as_str());
            if generated {
                println!("Password (shown once): {pw}");
            }
        }
        UserCommand::ResetPassword { email } => {
            let (user, _) = store
                .user_for_sign_in(&email)
                .await?
                .ok_or_else(|| anyhow!("no account has the email {email}"))?;
            let (pw, generated) = obtain_password(&user.email)?;
            let hash = password::hash(&pw).map_err(|e| anyhow!(e))?;
            store.set_password(user.id, &hash, None).await?;
            println!(
                "New password set for {}; every session of the account was signed out.",
                user.email
            );
            if generated {
                println!("Password (shown once): {pw}");
            }
        }
    }
    store.close().await;
    Ok(())
}
