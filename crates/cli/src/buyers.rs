//! `ddhub buyer …` (issue 21): the storefront buyers waiting for approval, and approving one.

use crate::{JsonFlag, migrated_store};
use clap::Subcommand;
use ddhub_app::config::Config;
use ddhub_app::services::buyers;

#[derive(Subcommand, Debug)]
pub(crate) enum BuyerCmd {
    /// List buyers waiting for approval (all buyers with --all).
    List {
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Approve a buyer: its cart can then be sent as an order request. The buyer is e-mailed.
    Approve {
        id: i64,
        #[command(flatten)]
        out: JsonFlag,
    },
}

pub(crate) async fn buyer(cmd: BuyerCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    let app = std::sync::Arc::new(ddhub_app::App::new(
        config.clone(),
        store,
        Default::default(),
    )?);
    match cmd {
        BuyerCmd::List { all, out } => {
            let list = buyers::list(&app, all).await?;
            if out.json {
                println!("{}", serde_json::to_string(&list)?);
            } else {
                println!(
                    "{:>5}  {:<9} {:<3} {:<32} business",
                    "id", "state", "cc", "e-mail"
                );
                for b in list {
                    println!(
                        "{:>5}  {:<9} {:<3} {:<32} {}",
                        b.id,
                        b.state.as_str(),
                        b.country,
                        b.email,
                        b.business_name
                    );
                }
            }
        }
        BuyerCmd::Approve { id, out } => {
            let b = buyers::approve(&app, id).await?;
            if out.json {
                println!("{}", serde_json::to_string(&b)?);
            } else {
                println!("buyer {} approved: {} <{}>", b.id, b.business_name, b.email);
            }
        }
    }
    Ok(())
}
