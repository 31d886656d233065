//! `ddhub`: one binary in every role: server, worker, migrations, demo and admin commands.

mod buyers;
mod demo;
mod demo_catalog;
mod images;
mod ingest;
mod translate;
// issue 17: operators, pickup, shipments
mod shipping;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use ddhub_app::config::{Config, LogFormat};
use ddhub_app::runtime;
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
// The HTTP server: only to serve (`ddhub serve`, `ddhub worker`, `ddhub demo`).
use ddhub_server::serve;
use ddhub_store::parties::{self, NewPartner};
use ddhub_store::{StoreError, keys, rates};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: indexing, reindexing and search requests make many
/// short-lived allocations, and glibc's malloc took about 40% of a profiled reindex.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "ddhub",
    version,
    about = "DDHub: Dongdaemun wholesale fashion, ready for export"
)]
struct Cli {
    /// Configuration file; `ddhub.toml` in the working directory is read when present.
    #[arg(long, global = true, env = "DDHUB_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the HTTP API (with background workers unless --no-workers).
    Serve {
        /// Run no background workers in this process (use separate `ddhub worker` processes).
        #[arg(long)]
        no_workers: bool,
    },
    /// Run background workers only.
    Worker,
    /// Apply pending database migrations (a second run does nothing).
    Migrate,
    /// Create a demo data directory with sample wholesalers, a partner and a catalog, then serve it.
    Demo {
        /// Seed the demo and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Ingest a catalog sheet (XLSX, XLS, CSV/TSV in UTF-8 or CP949, JSON) and an optional photo ZIP
    /// for a wholesaler. Exit 0 when processed (even with row errors), 1 when the file could
    /// not be read at all, 2 for bad arguments.
    Ingest(ingest::IngestArgs),
    /// Photo normalisation, standalone.
    #[command(subcommand)]
    Images(images::ImagesCmd),
    /// Translation harness: one title, or a scored dev set.
    #[command(subcommand)]
    Translate(translate::TranslateCmd),
    /// The fashion glossary.
    #[command(subcommand)]
    Glossary(translate::GlossaryCmd),
    /// Rebuild the search index from the database.
    Reindex,
    /// Search quality: nDCG@10 and zero-result rate of the judged query set per backend.
    #[command(subcommand)]
    Search(SearchCmd),
    /// The hub operator's order operations: pack, ship, deliver, cancel.
    #[command(subcommand)]
    Order(OrderCmd),
    /// Write a partner's product feed (as GET /api/v1/feeds/products would), or
    /// `feed diagnostics` to see why styles are left out.
    #[command(args_conflicts_with_subcommands = true)]
    Feed {
        #[command(subcommand)]
        cmd: Option<FeedCmd>,
        /// The partner's name.
        #[arg(long)]
        partner: Option<String>,
        /// gmc-xml, csv, jsonl, shopify-csv, shopee-global or yahoo-shopping-csv; absent: the
        /// partner's format setting.
        #[arg(long)]
        format: Option<String>,
        /// Where to write; standard output when absent.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Manage wholesalers.
    #[command(subcommand)]
    Wholesaler(WholesalerCmd),
    /// Manage partner marketplaces.
    #[command(subcommand)]
    Partner(PartnerCmd),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Manage exchange rates (units of a currency per won).
    #[command(subcommand)]
    Rates(RatesCmd),
    /// Copy a SQLite install (database, media, files) to a new folder DEST while it serves.
    Backup {
        dest: PathBuf,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Restore a backup folder into the data dir and rebuild the search index.
    Restore {
        src: PathBuf,
        /// Replace an existing database (stop every ddhub process on the data dir first).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Manage hub operators (pickup, receiving, shipments).
    #[command(subcommand)]
    Operator(shipping::OperatorCmd),
    /// Storefront buyers: list those waiting for approval, approve one.
    #[command(subcommand)]
    Buyer(buyers::BuyerCmd),
    /// The pickup run: the list in walking order, and receiving at the hub.
    #[command(subcommand)]
    Pickup(shipping::PickupCmd),
    /// Shipments: create, add packages, quote, ship.
    #[command(subcommand)]
    Shipment(shipping::ShipmentCmd),
    /// Carrier rate tables.
    #[command(subcommand)]
    Shipping(shipping::ShippingCmd),
    /// The export declaration worksheet.
    #[command(subcommand)]
    Declaration(shipping::DeclarationCmd),
}

#[derive(Args, Debug)]
struct JsonFlag {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum WholesalerCmd {
    /// Add a wholesaler and print its API key (shown once).
    Add {
        #[arg(long)]
        name: String,
        /// Wholesale building, e.g. 청평화 or APM.
        #[arg(long)]
        building: String,
        #[arg(long)]
        floor: String,
        #[arg(long)]
        unit: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List wholesalers.
    List {
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand, Debug)]
enum PartnerCmd {
    /// Add a partner and print its API key (shown once).
    Add {
        #[arg(long)]
        name: String,
        /// Feed language: en, ja, zh-CN, zh-TW, vi, th or ko.
        #[arg(long)]
        locale: String,
        /// Currency code, e.g. JPY, USD.
        #[arg(long)]
        currency: String,
        /// Markup on converted prices, in percent.
        #[arg(long, default_value = "0")]
        markup: String,
        /// none, whole_unit or charm99.
        #[arg(long, default_value = "none")]
        rounding: String,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// List partners.
    List {
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Show a partner's feed settings, or replace them from a JSON file.
    Settings {
        /// The partner's name.
        name: String,
        /// JSON with the feed settings (category map, size system, image profile, filters…);
        /// locale, currency, markup_bp and rounding left out keep their values.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Make a test-mode key (`ddh_pt_…`) for a partner and print it (shown once). Its orders
    /// run the whole flow in the partner's sandbox (a copy of its feeds' settings, refreshed
    /// now) and never reach a wholesaler.
    TestKey {
        /// The live partner's name.
        name: String,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Subcommand, Debug)]
enum SearchCmd {
    /// Run the shipped judged queries (`crates/search/relevance/queries.tsv`, en/ja/zh/ko) on the
    /// generated catalog, on tantivy and, when given, on Meilisearch.
    Eval {
        #[arg(long)]
        meilisearch_url: Option<String>,
        #[arg(long)]
        meilisearch_key: Option<String>,
        /// Also list the N judged queries that score lowest on each backend
        #[arg(long, default_value_t = 0)]
        worst: usize,
    },
}

#[derive(Subcommand, Debug)]
enum OrderCmd {
    /// Confirmed goods are packed (the export papers are made from here on).
    Pack { id: i64 },
    /// The parcel left with a carrier.
    Ship {
        id: i64,
        #[arg(long)]
        carrier: String,
        #[arg(long)]
        tracking: String,
    },
    /// The partner received the parcel.
    Deliver { id: i64 },
    /// Cancel before shipping; everything is refundable.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum KeyCmd {
    /// Revoke a key by its key id (the 12 characters after `ddh_w_` or `ddh_p_`).
    Revoke { key_id: String },
}

#[derive(Subcommand, Debug)]
enum RatesCmd {
    /// Set a rate: `ddhub rates set JPY 0.108` means 1 won = 0.108 yen.
    Set { currency: String, rate: String },
    /// List rates.
    List {
        #[command(flatten)]
        out: JsonFlag,
    },
    /// Set many rates from a CSV of `currency,rate` lines (a header line is allowed). Every line
    /// is checked first: one bad line sets nothing.
    Import { file: PathBuf },
}

/// An error that is the user's to fix: printed plainly, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub(crate) String);

/// The command ran but its input could not be used at all: exit code 1, message already shown.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Unprocessable(pub(crate) String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let explicit = cli.config.is_some();
    let path = cli
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("ddhub.toml"));
    let config = match Config::load(Some(&path), explicit) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ddhub: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format);
    // One TLS crypto provider for the process (the S3 media store's client needs it).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ddhub: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(u) = e.downcast_ref::<UsageError>() {
                eprintln!("ddhub: {u}");
                return ExitCode::from(2);
            }
            if e.downcast_ref::<Unprocessable>().is_some() {
                return ExitCode::from(1);
            }
            eprintln!("ddhub: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn,tantivy=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}

async fn migrated_store(config: &Config) -> anyhow::Result<ddhub_store::Store> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let store = runtime::open_store(config)
        .await
        .context("cannot open the database")?;
    store.migrate().await.context("migrations failed")?;
    Ok(store)
}

pub(crate) fn usage<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow::Error::new(UsageError(e.to_string()))
}

async fn run(cmd: Command, config: Config) -> anyhow::Result<()> {
    match cmd {
        Command::Serve { no_workers } => {
            let store = migrated_store(&config).await?;
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            let addr = listener.local_addr()?;
            println!("ddhub listening on http://{addr}");
            serve::serve(
                config,
                store,
                listener,
                !no_workers,
                runtime::shutdown_signal(),
            )
            .await
        }
        Command::Worker => {
            let store = runtime::open_store(&config)
                .await
                .context("cannot open the database")?;
            if store.pending_migrations().await? > 0 {
                return Err(usage(
                    "the database has pending migrations: run `ddhub migrate` first",
                ));
            }
            println!("ddhub worker running");
            serve::run_workers(config, store, runtime::shutdown_signal()).await
        }
        Command::Migrate => {
            let store = migrated_store(&config).await?;
            let _ = store;
            println!("migrations applied; the schema is current");
            Ok(())
        }
        Command::Demo { no_serve } => demo::run(config, no_serve).await,
        Command::Ingest(args) => {
            let store = migrated_store(&config).await?;
            ingest::run(&config, &store, args).await
        }
        Command::Wholesaler(w) => wholesaler(w, &config).await,
        Command::Partner(p) => partner(p, &config).await,
        Command::Key(KeyCmd::Revoke { key_id }) => {
            let store = migrated_store(&config).await?;
            match keys::revoke(&store, &key_id).await {
                Ok(()) => {
                    println!(
                        "revoked key {key_id} (running servers refuse it within {} s)",
                        keys::VERIFIED_KEY_TTL.as_secs()
                    );
                    Ok(())
                }
                Err(StoreError::NotFound) => Err(usage(format!("no key with id {key_id:?}"))),
                Err(e) => Err(e.into()),
            }
        }
        Command::Rates(r) => rates_cmd(r, &config).await,
        Command::Images(i) => images::run(&config, i).await,
        Command::Translate(t) => translate::translate(t),
        Command::Glossary(g) => translate::glossary(g, &config).await,
        Command::Reindex => translate::reindex(&config).await,
        Command::Feed {
            cmd:
                Some(FeedCmd::Diagnostics {
                    partner,
                    format,
                    json,
                }),
            ..
        } => feed_diagnostics(&config, &partner, format.as_deref(), json).await,
        Command::Feed {
            cmd: None,
            partner,
            format,
            output,
        } => {
            let partner = partner.ok_or_else(|| usage("--partner is required"))?;
            feed(&config, &partner, format.as_deref(), output).await
        }
        Command::Order(cmd) => order(&config, cmd).await,
        Command::Backup { dest, out } => backup_cmd(&config, &dest, out.json).await,
        Command::Restore { src, force, out } => restore_cmd(&config, &src, force, out.json).await,
        Command::Search(SearchCmd::Eval {
            meilisearch_url,
            meilisearch_key,
            worst,
        }) => search_eval(meilisearch_url, meilisearch_key, worst).await,
        Command::Operator(cmd) => shipping::operator(cmd, &config).await,
        Command::Buyer(cmd) => buyers::buyer(cmd, &config).await,
        Command::Pickup(cmd) => shipping::pickup(cmd, &config).await,
        Command::Shipment(cmd) => shipping::shipment(cmd, &config).await,
        Command::Shipping(cmd) => shipping::shipping(cmd, &config).await,
        Command::Declaration(cmd) => shipping::declaration(cmd, &config).await,
    }
}

// Backups (issue 10).
async fn backup_cmd(config: &Config, dest: &std::path::Path, json: bool) -> anyhow::Result<()> {
    use ddhub_app::services::backup::{BackupError, backup};
    let store = runtime::open_store(config)
        .await
        .context("cannot open the database")?;
    let started = std::time::Instant::now();
    let m = match backup(config, &store, dest).await {
        Ok(m) => m,
        Err(BackupError::Refused(why)) => return Err(usage(why)),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&m)?);
    } else {
        println!(
            "backup written to {}: database {} bytes (sha256 {}), {} files ({} bytes) in {:.1} s",
            dest.display(),
            m.database_bytes,
            m.database_sha256.get(..12).unwrap_or_default(),
            m.files,
            m.file_bytes,
            started.elapsed().as_secs_f64()
        );
        if let Some(note) = &m.media_note {
            println!("note: {note}");
        }
    }
    Ok(())
}

async fn restore_cmd(
    config: &Config,
    src: &std::path::Path,
    force: bool,
    json: bool,
) -> anyhow::Result<()> {
    use ddhub_app::services::backup::{BackupError, restore};
    let r = match restore(config, src, force).await {
        Ok(r) => r,
        Err(BackupError::Refused(why)) => return Err(usage(why)),
        Err(e) => return Err(e.into()),
    };
    if json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!(
            "restored {} and {} files; {} migrations applied; {} styles indexed",
            r.database.display(),
            r.files,
            r.migrations_applied,
            r.styles_indexed
        );
    }
    Ok(())
}

async fn order(config: &Config, cmd: OrderCmd) -> anyhow::Result<()> {
    use ddhub_app::services::orders::{OpError, Operation, apply};
    let store = migrated_store(config).await?;
    let (id, op) = match cmd {
        OrderCmd::Pack { id } => (id, Operation::Pack),
        OrderCmd::Ship {
            id,
            carrier,
            tracking,
        } => (
            id,
            Operation::Ship(ddhub_orders::lifecycle::Shipment {
                carrier,
                tracking_number: tracking,
            }),
        ),
        OrderCmd::Deliver { id } => (id, Operation::Deliver),
        OrderCmd::Cancel { id, reason } => (id, Operation::Cancel(reason)),
    };
    match apply(&store, None, id, op).await {
        Ok(state) => {
            println!("order {id} is now {state}");
            Ok(())
        }
        Err(OpError::Store(StoreError::NotFound)) => Err(usage(format!("no order {id}"))),
        Err(OpError::Lifecycle(e)) => Err(usage(e)),
        Err(e) => Err(e.into()),
    }
}

async fn wholesaler(cmd: WholesalerCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        WholesalerCmd::Add {
            name,
            building,
            floor,
            unit,
            out,
        } => {
            let loc = ShopLocation {
                building,
                floor,
                unit,
            };
            let (w, key) =
                parties::add_wholesaler(&store, &name, loc)
                    .await
                    .map_err(|e| match e {
                        StoreError::Invalid(m) => usage(m),
                        other => other.into(),
                    })?;
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "id": w.id, "key": key.key, "key_id": key.key_id })
                );
            } else {
                println!(
                    "wholesaler {} added: {} ({})",
                    w.id,
                    w.name,
                    w.location.display_ko()
                );
                println!("API key (shown once, keep it safe): {}", key.key);
            }
        }
        WholesalerCmd::List { out } => {
            let all = parties::list_wholesalers(&store).await?;
            if out.json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                println!("{:>5}  {:<24}  location", "id", "name");
                for w in all {
                    println!("{:>5}  {:<24}  {}", w.id, w.name, w.location.display_ko());
                }
            }
        }
    }
    Ok(())
}

fn parse_markup(text: &str) -> anyhow::Result<i32> {
    // Percent with up to two decimals, kept as basis points: no float ever holds it.
    let t = text.trim().trim_end_matches('%');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let bad = || {
        usage(format!(
            "--markup {text:?}: a percentage such as 15 or 12.5"
        ))
    };
    if int.is_empty()
        || frac.len() > 2
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let int: i32 = int.parse().map_err(|_| bad())?;
    let frac: i32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    int.checked_mul(100)
        .and_then(|v| v.checked_add(frac))
        .ok_or_else(bad)
}

async fn partner(cmd: PartnerCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        PartnerCmd::Add {
            name,
            locale,
            currency,
            markup,
            rounding,
            out,
        } => {
            let locale: Locale = locale.parse().map_err(usage)?;
            let currency: Currency = currency.parse().map_err(usage)?;
            let rounding: RoundingRule = rounding.parse().map_err(usage)?;
            let markup_bp = parse_markup(&markup)?;
            let (p, key) = parties::add_partner(
                &store,
                NewPartner {
                    name,
                    locale,
                    currency,
                    markup_bp,
                    rounding,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Invalid(m) => usage(m),
                StoreError::Conflict(_) => usage("a partner with this name already exists"),
                other => other.into(),
            })?;
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "id": p.id, "key": key.key, "key_id": key.key_id })
                );
            } else {
                println!(
                    "partner {} added: {} ({}, {})",
                    p.id, p.name, p.locale, p.currency
                );
                println!("API key (shown once, keep it safe): {}", key.key);
            }
        }
        PartnerCmd::Settings { name, file } => {
            let p = parties::find_partner_by_name(&store, &name)
                .await?
                .ok_or_else(|| usage(format!("no partner named {name:?}")))?;
            if let Some(file) = file {
                let json = std::fs::read_to_string(&file)
                    .map_err(|e| usage(format!("{}: {e}", file.display())))?;
                // Locale, currency, markup and rounding live on the partner row: the file's
                // values go there, and ones the file leaves out stay as they are (a file with
                // only a category map must not reset the currency to the default).
                let mut value: serde_json::Value = serde_json::from_str(&json)
                    .map_err(|e| usage(format!("{}: {e}", file.display())))?;
                let current = serde_json::to_value(
                    ddhub_app::services::feeds::settings_for(&store, p.id).await?,
                )?;
                if let Some(obj) = value.as_object_mut() {
                    for term in ["locale", "currency", "markup_bp", "rounding"] {
                        if let (false, Some(v)) = (obj.contains_key(term), current.get(term)) {
                            obj.insert(term.to_string(), v.clone());
                        }
                    }
                }
                let settings =
                    ddhub_feeds::FeedSettings::from_json(&value.to_string()).map_err(usage)?;
                settings.validate().map_err(usage)?;
                let terms = parties::NewPartnerTerms {
                    locale: settings.locale,
                    currency: settings.currency,
                    markup_bp: settings.markup_bp,
                    rounding: settings.rounding,
                };
                parties::set_partner_feed(&store, p.id, &terms, &serde_json::to_string(&settings)?)
                    .await?;
            }
            let settings = ddhub_app::services::feeds::settings_for(&store, p.id).await?;
            println!("{}", serde_json::to_string_pretty(&settings)?);
        }
        PartnerCmd::TestKey { name, out } => {
            let p = parties::find_partner_by_name(&store, &name)
                .await?
                .ok_or_else(|| usage(format!("no partner named {name:?}")))?;
            let (sandbox, key) =
                parties::issue_test_key(&store, p.id)
                    .await
                    .map_err(|e| match e {
                        StoreError::Invalid(m) => usage(m),
                        other => other.into(),
                    })?;
            if out.json {
                println!(
                    "{}",
                    serde_json::json!({ "sandbox_id": sandbox.id, "key": key.key, "key_id": key.key_id })
                );
            } else {
                println!(
                    "test mode for {}: sandbox partner {} ({}, {}); its orders never reach a wholesaler",
                    p.name, sandbox.id, sandbox.locale, sandbox.currency
                );
                println!("test key (shown once, keep it safe): {}", key.key);
            }
        }
        PartnerCmd::List { out } => {
            let all = parties::list_partners(&store).await?;
            if out.json {
                println!("{}", serde_json::to_string(&all)?);
            } else {
                println!(
                    "{:>5}  {:<24}  {:<6} {:<4} markup",
                    "id", "name", "locale", "cur"
                );
                for p in all {
                    println!(
                        "{:>5}  {:<24}  {:<6} {:<4} {}.{:02}% {}",
                        p.id,
                        p.name,
                        p.locale,
                        p.currency,
                        p.markup_bp / 100,
                        p.markup_bp % 100,
                        p.rounding.as_str()
                    );
                }
            }
        }
    }
    Ok(())
}

async fn rates_cmd(cmd: RatesCmd, config: &Config) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    match cmd {
        RatesCmd::Set { currency, rate } => {
            let currency: Currency = currency.parse().map_err(usage)?;
            let rate = RatePerKrw::parse(currency, &rate).map_err(usage)?;
            rates::set_rate(&store, rate).await.map_err(|e| match e {
                StoreError::Invalid(m) => usage(m),
                other => other.into(),
            })?;
            println!("1 KRW = {} {}", rate.decimal(), rate.currency);
        }
        RatesCmd::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| usage(format!("{}: {e}", file.display())))?;
            let mut parsed = Vec::new();
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty()
                    || line.starts_with('#')
                    || (n == 0 && line.to_ascii_lowercase().starts_with("currency"))
                {
                    continue;
                }
                let (c, r) = line
                    .split_once([',', '\t', ';'])
                    .ok_or_else(|| usage(format!("line {}: expected currency,rate", n + 1)))?;
                let currency: Currency = c
                    .trim()
                    .parse()
                    .map_err(|e| usage(format!("line {}: {e}", n + 1)))?;
                let rate = RatePerKrw::parse(currency, r.trim())
                    .map_err(|e| usage(format!("line {}: {e}", n + 1)))?;
                if currency == Currency::Krw {
                    return Err(usage(format!("line {}: KRW is the base currency", n + 1)));
                }
                parsed.push(rate);
            }
            for rate in &parsed {
                rates::set_rate(&store, *rate).await?;
            }
            println!("{} rates set", parsed.len());
        }
        RatesCmd::List { out } => {
            let all = rates::list_rates(&store).await?;
            if out.json {
                let v: Vec<_> = all
                    .iter()
                    .map(|r| serde_json::json!({ "currency": r.currency, "per_krw": r.decimal() }))
                    .collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                for r in all {
                    println!("1 KRW = {} {}", r.decimal(), r.currency);
                }
            }
        }
    }
    Ok(())
}

/// `--format` as a feed format; `None` when absent.
fn feed_format(format: Option<&str>) -> anyhow::Result<Option<ddhub_feeds::FeedFormat>> {
    format
        .map(|f| {
            ddhub_feeds::FeedFormat::parse(f).ok_or_else(|| {
                let names: Vec<&str> = ddhub_feeds::FeedFormat::ALL
                    .iter()
                    .map(|f| f.as_str())
                    .collect();
                usage(format!("--format must be one of {}", names.join(", ")))
            })
        })
        .transpose()
}

async fn feed_diagnostics(
    config: &Config,
    partner: &str,
    format: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    let p = parties::find_partner_by_name(&store, partner)
        .await?
        .ok_or_else(|| usage(format!("no partner named {partner:?}")))?;
    let d = ddhub_app::services::channels::diagnostics(
        &store,
        p.id,
        feed_format(format)?,
        &config.base_url(),
        &config.media_base_url(),
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&d)?);
    } else {
        print!("{}", d.to_text());
    }
    Ok(())
}

async fn feed(
    config: &Config,
    partner: &str,
    format: Option<&str>,
    output: Option<PathBuf>,
) -> anyhow::Result<()> {
    let store = migrated_store(config).await?;
    let p = parties::find_partner_by_name(&store, partner)
        .await?
        .ok_or_else(|| usage(format!("no partner named {partner:?}")))?;
    let settings = ddhub_app::services::feeds::settings_for(&store, p.id).await?;
    let format = feed_format(format)?.unwrap_or(settings.format);
    let rate = rates::get_rate(&store, settings.currency)
        .await?
        .ok_or_else(|| {
            usage(format!(
                "no exchange rate for {}: ddhub rates set {} …",
                settings.currency, settings.currency
            ))
        })?;
    let (base, media) = (config.base_url(), config.media_base_url());
    let handle = tokio::runtime::Handle::current();
    let summary =
        tokio::task::spawn_blocking(move || -> anyhow::Result<ddhub_feeds::FeedSummary> {
            let out: Box<dyn std::io::Write> = match &output {
                Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
            };
            let (mut out, summary) = ddhub_app::services::feeds::write_partner_feed(
                &handle,
                &store,
                &settings,
                Some(rate),
                &base,
                &media,
                format,
                ddhub_feeds::Compression::Identity,
                out,
            )?;
            out.flush()?;
            Ok(summary)
        })
        .await??;
    eprintln!(
        "{} styles, {} items ({} styles left out: ddhub feed diagnostics --partner {partner:?})",
        summary.styles,
        summary.items,
        summary.skipped.total_styles()
    );
    Ok(())
}

async fn search_eval(
    meili: Option<String>,
    key: Option<String>,
    worst: usize,
) -> anyhow::Result<()> {
    use ddhub_search::SearchIndex;
    use ddhub_search::relevance::{self, CATALOG_SEED, CATALOG_SIZE, Judgements, SHIPPED_QUERIES};
    let docs = ddhub_search::sample::catalog(CATALOG_SIZE, CATALOG_SEED);
    let judgements = Judgements::new(relevance::parse_tsv(SHIPPED_QUERIES)?, &docs);
    let mut indexes: Vec<Box<dyn SearchIndex>> =
        vec![Box::new(ddhub_search::TantivyIndex::in_memory()?)];
    if let Some(url) = meili {
        let cfg = ddhub_search::MeiliConfig::new(&url, key, "ddhub_eval");
        indexes.push(Box::new(ddhub_search::MeiliIndex::connect(cfg).await?));
    }
    println!(
        "{:<12} {:>8} {:>9} {:>12}",
        "backend", "queries", "nDCG@10", "zero-result"
    );
    for index in indexes {
        index.rebuild(docs.clone()).await?;
        let r = relevance::evaluate(index.as_ref(), &judgements).await?;
        println!(
            "{:<12} {:>8} {:>9.3} {:>12.3}",
            r.backend, r.queries, r.ndcg_at_10, r.zero_result_rate
        );
        let mut per_query = r.per_query.clone();
        per_query.sort_by(|a, b| a.2.total_cmp(&b.2));
        for (id, query, ndcg, total) in per_query.iter().take(worst) {
            println!("  {ndcg:>6.3}  {id:<24} {query}  ({total} found)");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_exact() {
        assert_eq!(parse_markup("15").ok(), Some(1500));
        assert_eq!(parse_markup("12.5%").ok(), Some(1250));
        assert_eq!(parse_markup("0.05").ok(), Some(5));
        assert!(parse_markup("-3").is_err());
        assert!(parse_markup("1.234").is_err());
        assert!(parse_markup("abc").is_err());
    }
}

/// `ddhub feed …` subcommands.
#[derive(Subcommand, Debug)]
enum FeedCmd {
    /// Why a partner's feed holds what it holds: styles and items in and out, and every
    /// left-out style's code with its reasons.
    Diagnostics {
        /// The partner's name.
        #[arg(long)]
        partner: String,
        /// The format to diagnose; absent: the partner's format setting.
        #[arg(long)]
        format: Option<String>,
        /// JSON (as GET /api/v1/feeds/diagnostics answers) instead of text.
        #[arg(long)]
        json: bool,
    },
}
