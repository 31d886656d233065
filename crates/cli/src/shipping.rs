//! Issue 17's commands: hub operators (`ddhub operator add|list`), the pickup run (`ddhub
//! pickup list|receive`), shipments (`ddhub shipment create|add-package|quote|ship|show`) and
//! carrier rate tables (`ddhub shipping rates load|list`). Each calls the service the API
//! calls, and prints JSON with `--json`.

use crate::{JsonFlag, migrated_store, usage};
use anyhow::Context;
use clap::Subcommand;
use ddhub_app::config::Config;
use ddhub_app::services::{pickups, shipments};
use ddhub_domain::{OperatorId, OrderLineId};
use ddhub_orders::receiving::Receipt;
use ddhub_shipping::package::PackageSpec;
use ddhub_store::{StoreError, operators};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub(crate) enum OperatorCmd {
    /// Add a hub operator and print its first API key (`ddh_o_…`, shown once).
    Add {
        #[arg(long)]
        name: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List the hub operators.
    List {
        #[command(flatten)]
        out: JsonFlag,
    },
}

pub(crate) async fn operator(cmd: OperatorCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        OperatorCmd::Add { name, out } => {
            let (o, key) = operators::add_operator(&store, &name)
                .await
                .map_err(|e| match e {
                    StoreError::Invalid(m) => usage(m),
                    other => other.into(),
                })?;
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "id": o.id, "key": key.key, "key_id": key.key_id })
                );
            } else {
                println!("operator {} added: {}", o.id, o.name);
                println!("API key (shown once, keep it safe): {}", key.key);
            }
        }
        OperatorCmd::List { out } => {
            let all = operators::list_operators(&store).await?;
            if out.json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                println!("{:>5}  name", "id");
                for o in all {
                    println!("{:>5}  {}", o.id, o.name);
                }
            }
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
pub(crate) enum PickupCmd {
    /// The pickup list in walking order (building, floor, unit) with the amounts due.
    List {
        /// YYYY-MM-DD; today in Seoul when absent.
        #[arg(long)]
        date: Option<String>,
        /// Also write the printable list (A4, Korean) as a PDF to this file.
        #[arg(long, value_name = "FILE")]
        pdf: Option<PathBuf>,
        /// Also write the list as an XLSX workbook to this file.
        #[arg(long, value_name = "FILE")]
        xlsx: Option<PathBuf>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Mark lines received at the hub: `--line LINE_ID=PIECES`, repeated. All or nothing.
    Receive {
        #[arg(long = "line", required = true)]
        lines: Vec<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum ShipmentCmd {
    /// Create a shipment from received lines of one consignee.
    Create {
        /// The operator building it (`ddhub operator list`).
        #[arg(long)]
        operator: i64,
        #[arg(long = "line", required = true)]
        lines: Vec<i64>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Add a package: `--weight 1200` (grams) `--size 30x20x10` (cm).
    AddPackage {
        id: i64,
        #[arg(long)]
        weight: u32,
        #[arg(long)]
        size: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Each carrier service's price for the shipment, or why it refuses it.
    Quote {
        id: i64,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Ship it by a service with one tracking number per package (`--tracking`, repeated).
    Ship {
        id: i64,
        #[arg(long)]
        service: String,
        #[arg(long = "tracking", required = true)]
        tracking: Vec<String>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Show a shipment.
    Show {
        id: i64,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Mark a shipped shipment delivered (`shipment.delivered` to the partner).
    Delivered {
        id: i64,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand, Debug)]
pub(crate) enum DeclarationCmd {
    /// Write the export declaration worksheet of a shipped shipment (a batch of up to 100
    /// lines) as XLSX or CSV.
    Export {
        shipment: i64,
        /// xlsx or csv.
        #[arg(long, default_value = "xlsx")]
        format: String,
        #[arg(long, default_value_t = 1)]
        batch: usize,
        #[arg(long)]
        output: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
}

pub(crate) async fn declaration(cmd: DeclarationCmd, config: &Config) -> anyhow::Result<()> {
    use ddhub_app::services::declarations::{self, Format};
    let DeclarationCmd::Export {
        shipment,
        format,
        batch,
        output,
        out,
    } = cmd;
    let format = match format.as_str() {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        other => return Err(usage(format!("--format {other:?}: xlsx or csv"))),
    };
    let store = migrated_store(config).await?;
    let app = ddhub_app::App::new(config.clone(), store, Default::default())?;
    let f = declarations::export(&app, shipment, batch, format)
        .await
        .map_err(app_err)?;
    std::fs::write(&output, &f.bytes)?;
    let v = serde_json::json!({
        "path": output, "batch": batch, "batches": f.batches, "bytes": f.bytes.len(),
    });
    print(out.json, &v, |_| {
        println!(
            "wrote {} (batch {batch} of {})",
            output.display(),
            f.batches
        );
    })
}

#[derive(Subcommand, Debug)]
pub(crate) enum ShippingCmd {
    /// Carrier rate tables.
    #[command(subcommand)]
    Rates(RatesCmd),
}

#[derive(Subcommand, Debug)]
pub(crate) enum RatesCmd {
    /// Load a rate table (TOML, as in locales/shipping/rates/): validated whole, then it
    /// replaces the service's table; nothing changes when it is refused.
    Load {
        file: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// The tables in force: service, source and date.
    List {
        #[command(flatten)]
        out: JsonFlag,
    },
}

/// An application error as a command's failure: refusals are usage errors (exit 2) with the
/// reason; the rest are failures.
fn app_err(e: ddhub_app::AppError) -> anyhow::Error {
    if e.code.status() < 500 {
        usage(e)
    } else {
        anyhow::anyhow!(e)
    }
}

fn print<T: serde::Serialize>(json: bool, v: &T, text: impl FnOnce(&T)) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string(v)?);
    } else {
        text(v);
    }
    Ok(())
}

pub(crate) async fn pickup(cmd: PickupCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        PickupCmd::List {
            date,
            pdf,
            xlsx,
            out,
        } => {
            let list = pickups::list(&store, date.as_deref())
                .await
                .map_err(app_err)?;
            for (path, format) in [
                (pdf, pickups::SheetFormat::Pdf),
                (xlsx, pickups::SheetFormat::Xlsx),
            ] {
                let Some(path) = path else { continue };
                let f = pickups::printable(&store, config, Some(&list.date), format)
                    .await
                    .map_err(app_err)?;
                std::fs::write(&path, &f.bytes)
                    .with_context(|| format!("writing {}", path.display()))?;
                if !out.json {
                    eprintln!("wrote {}", path.display());
                }
            }
            print(out.json, &list, |l| {
                println!(
                    "pickup {}: {} pieces, ₩{} due",
                    l.date, l.pieces, l.amount_due_krw
                );
                for s in &l.stops {
                    println!(
                        "{} {} {}  {}  {} pieces  ₩{}",
                        s.building, s.floor, s.unit, s.wholesaler_name, s.pieces, s.amount_due_krw
                    );
                    for i in &s.lines {
                        println!(
                            "    line {}  {} {} {} × {}  ({})",
                            i.line_id,
                            i.style_code,
                            i.colour,
                            i.size,
                            i.quantity,
                            i.partner_order_id
                        );
                    }
                }
            })
        }
        PickupCmd::Receive { lines, out } => {
            let mut receipts = Vec::new();
            for l in &lines {
                let (id, n) = l
                    .split_once('=')
                    .ok_or_else(|| usage(format!("--line {l:?}: LINE_ID=PIECES")))?;
                let line_id = id
                    .trim()
                    .parse()
                    .map_err(|_| usage(format!("--line {l:?}")))?;
                let received = n
                    .trim()
                    .parse()
                    .map_err(|_| usage(format!("--line {l:?}")))?;
                receipts.push(Receipt {
                    line_id: OrderLineId(line_id),
                    received,
                });
            }
            let done = pickups::receive(&store, &receipts).await.map_err(app_err)?;
            print(out.json, &done, |d| {
                for o in d {
                    println!(
                        "order {}: {} (short: {:?})",
                        o.order_id, o.state, o.short_lines
                    );
                }
            })
        }
    }
}

fn show(v: &shipments::ShipmentView) {
    println!(
        "shipment {} ({}) to {}: {} lines, {} packages{}",
        v.id,
        v.state,
        v.country,
        v.lines.len(),
        v.packages.len(),
        v.service
            .as_deref()
            .map(|s| format!(", {s}"))
            .unwrap_or_default()
    );
    for p in &v.packages {
        println!(
            "    package {}: {} g, {}×{}×{} cm {}",
            p.id,
            p.weight_grams,
            p.length_cm,
            p.width_cm,
            p.height_cm,
            p.tracking_number.as_deref().unwrap_or("")
        );
    }
}

pub(crate) async fn shipment(cmd: ShipmentCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        ShipmentCmd::Create {
            operator,
            lines,
            out,
        } => {
            let v = shipments::create(&store, OperatorId(operator), &lines)
                .await
                .map_err(app_err)?;
            print(out.json, &v, show)
        }
        ShipmentCmd::AddPackage {
            id,
            weight,
            size,
            out,
        } => {
            let sides: Vec<u32> = size
                .split(['x', 'X', '×'])
                .map(|s| s.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(|_| usage(format!("--size {size:?}: LxWxH in cm, e.g. 30x20x10")))?;
            let [length_cm, width_cm, height_cm] = sides[..] else {
                return Err(usage(format!(
                    "--size {size:?}: LxWxH in cm, e.g. 30x20x10"
                )));
            };
            let spec = PackageSpec {
                weight_grams: weight,
                length_cm,
                width_cm,
                height_cm,
            };
            let v = shipments::add_package(&store, id, spec)
                .await
                .map_err(app_err)?;
            print(out.json, &v, show)
        }
        ShipmentCmd::Quote { id, out } => {
            let q = shipments::quotes(&store, id).await.map_err(app_err)?;
            print(out.json, &q, |q| {
                for s in q {
                    match s.total_krw {
                        Some(t) => println!(
                            "{:<10} ₩{t}  ({}, from {})",
                            s.service, s.source, s.effective_from
                        ),
                        None => println!(
                            "{:<10} refused: {}",
                            s.service,
                            s.refusals
                                .iter()
                                .map(|r| r.reason.as_str())
                                .collect::<Vec<_>>()
                                .join("; ")
                        ),
                    }
                }
            })
        }
        ShipmentCmd::Ship {
            id,
            service,
            tracking,
            out,
        } => {
            let v = shipments::ship(&store, id, &service, &tracking)
                .await
                .map_err(app_err)?;
            print(out.json, &v, show)
        }
        ShipmentCmd::Show { id, out } => {
            let v = shipments::get(&store, id, None).await.map_err(app_err)?;
            print(out.json, &v, show)
        }
        ShipmentCmd::Delivered { id, out } => {
            let v = shipments::deliver(&store, id).await.map_err(app_err)?;
            print(out.json, &v, show)
        }
    }
}

pub(crate) async fn shipping(cmd: ShippingCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    let line = |t: &ddhub_shipping::rates::RateTable| {
        serde_json::json!({
            "service": t.service, "name": t.name, "source": t.source,
            "effective_from": t.effective_from, "steps": t.steps.len(), "zones": t.zone_count(),
        })
    };
    match cmd {
        ShippingCmd::Rates(RatesCmd::Load { file, out }) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let t = shipments::load_rate_table(&store, &text)
                .await
                .map_err(app_err)?;
            print(out.json, &line(&t), |_| {
                println!(
                    "loaded {} ({} steps, {} zones; {}, from {})",
                    t.service,
                    t.steps.len(),
                    t.zone_count(),
                    t.source,
                    t.effective_from
                );
            })
        }
        ShippingCmd::Rates(RatesCmd::List { out }) => {
            let all = shipments::rate_tables(&store).await.map_err(app_err)?;
            let v: Vec<_> = all.iter().map(line).collect();
            print(out.json, &v, |_| {
                for t in &all {
                    println!(
                        "{:<10} {}  from {}  ({})",
                        t.service, t.name, t.effective_from, t.source
                    );
                }
            })
        }
    }
}
