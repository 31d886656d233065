//! `ddhub demo`: a data directory with two wholesalers, one partner and a small Korean catalog,
//! then the server. Re-running it reuses everything: the keys come back from `demo-keys.txt`
//! (the demo's convenience; the database holds only their hashes) and unchanged styles stay
//! unchanged.

use anyhow::Context;
use ddhub_app::config::Config;
use ddhub_app::runtime;
use ddhub_app::services::catalog::{self, MediaPaths};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, Locale, RatePerKrw, RoundingRule};
// The HTTP server: only to serve (`ddhub serve`, `ddhub worker`, `ddhub demo`).
use ddhub_server::serve;
use ddhub_store::keys::{self, Principal};
use ddhub_store::parties::{self, NewPartner};
use ddhub_store::uploads::{self, NewUpload, UploadMode};
use ddhub_store::{Store, rates};
use std::collections::BTreeMap;
use std::path::Path;

const KEYS_FILE: &str = "demo-keys.txt";

struct DemoWholesaler {
    name: &'static str,
    building: &'static str,
    floor: &'static str,
    unit: &'static str,
}

const WHOLESALERS: [DemoWholesaler; 2] = [
    DemoWholesaler {
        name: "미소니트",
        building: "청평화",
        floor: "2",
        unit: "B-12",
    },
    DemoWholesaler {
        name: "데일리룩",
        building: "APM",
        floor: "3",
        unit: "A-07",
    },
];

const PARTNER: &str = "Tokyo Select";

/// Keys remembered from an earlier run: (kind, name) → key.
fn read_keys(path: &Path) -> anyhow::Result<BTreeMap<(String, String), String>> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(out);
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split('\t');
        if let (Some(kind), Some(name), Some(key)) = (parts.next(), parts.next(), parts.next()) {
            out.insert((kind.to_string(), name.to_string()), key.to_string());
        }
    }
    Ok(out)
}

fn write_keys(path: &Path, keys: &BTreeMap<(String, String), String>) -> anyhow::Result<()> {
    let mut text = String::from(
        "# DDHub demo keys (kind, name, key). Only the demo keeps keys in a file; the database holds hashes.\n",
    );
    for ((kind, name), key) in keys {
        text.push_str(&format!("{kind}\t{name}\t{key}\n"));
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Finds or makes the key of a demo party, reusing a remembered one.
async fn ensure_key(
    store: &Store,
    remembered: &mut BTreeMap<(String, String), String>,
    kind: &str,
    name: &str,
    principal: Principal,
    fresh: Option<String>,
) -> anyhow::Result<String> {
    let slot = (kind.to_string(), name.to_string());
    if let Some(key) = fresh {
        remembered.insert(slot, key.clone());
        return Ok(key);
    }
    if let Some(key) = remembered.get(&slot) {
        // A database that was wiped while the file stayed: put the remembered key back.
        keys::restore(store.conn(), principal, key)
            .await
            .with_context(|| format!("cannot restore the demo key of {name}"))?;
        return Ok(key.clone());
    }
    let issued = keys::issue(store.conn(), principal).await?;
    remembered.insert(slot, issued.key.clone());
    Ok(issued.key)
}

pub async fn run(config: Config, no_serve: bool) -> anyhow::Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
    let store = runtime::open_store(&config).await?;
    store.migrate().await?;
    let keys_path = config.data_dir.join(KEYS_FILE);
    let mut remembered = read_keys(&keys_path)?;
    let mut wholesaler_ids = Vec::new();
    let mut lines = Vec::new();
    for w in &WHOLESALERS {
        let (id, fresh) = match parties::find_wholesaler_by_name(&store, w.name).await? {
            Some(existing) => (existing.id, None),
            None => {
                let (created, key) = parties::add_wholesaler(
                    &store,
                    w.name,
                    ShopLocation {
                        building: w.building.into(),
                        floor: w.floor.into(),
                        unit: w.unit.into(),
                    },
                )
                .await?;
                (created.id, Some(key.key))
            }
        };
        let key = ensure_key(
            &store,
            &mut remembered,
            "wholesaler",
            w.name,
            Principal::Wholesaler(id),
            fresh,
        )
        .await?;
        lines.push(format!(
            "  wholesaler {} ({} {}층 {}), id {id}: {key}",
            w.name, w.building, w.floor, w.unit
        ));
        wholesaler_ids.push(id);
    }
    let (pid, fresh) = match parties::find_partner_by_name(&store, PARTNER).await? {
        Some(p) => (p.id, None),
        None => {
            let (p, key) = parties::add_partner(
                &store,
                NewPartner {
                    name: PARTNER.into(),
                    locale: Locale::Ja,
                    currency: Currency::Jpy,
                    markup_bp: 1500,
                    rounding: RoundingRule::WholeUnit,
                },
            )
            .await?;
            (p.id, Some(key.key))
        }
    };
    let pkey = ensure_key(
        &store,
        &mut remembered,
        "partner",
        PARTNER,
        Principal::Partner(pid),
        fresh,
    )
    .await?;
    lines.push(format!("  partner {PARTNER} (ja, JPY), id {pid}: {pkey}"));
    // Test mode (issue 22): the partner's sandbox and its `ddh_pt_` key.
    let sandbox = parties::sandbox_partner(store.conn(), pid).await?;
    let slot = ("partner_test".to_string(), PARTNER.to_string());
    let tkey = match remembered.get(&slot) {
        Some(k) => {
            keys::restore(store.conn(), Principal::Partner(sandbox.id), k)
                .await
                .with_context(|| format!("cannot restore the demo test key of {PARTNER}"))?;
            k.clone()
        }
        None => {
            let k = keys::issue_test(store.conn(), sandbox.id).await?.key;
            remembered.insert(slot, k.clone());
            k
        }
    };
    lines.push(format!(
        "  partner {PARTNER}, test mode (orders never reach a wholesaler): {tkey}"
    ));
    write_keys(&keys_path, &remembered)?;

    for (currency, rate) in [
        (Currency::Jpy, "0.108"),
        (Currency::Usd, "0.00072"),
        (Currency::Cny, "0.0052"),
        (Currency::Twd, "0.023"),
        (Currency::Vnd, "18.4"),
        (Currency::Thb, "0.025"),
    ] {
        rates::set_rate(&store, RatePerKrw::parse(currency, rate)?).await?;
    }

    // The sample catalogs go in through the real upload path, mistakes and all.
    let sheets_dir = config.data_dir.join("demo-catalog");
    std::fs::create_dir_all(&sheets_dir)?;
    let knit = sheets_dir.join("misonit-catalog-cp949.csv");
    std::fs::write(&knit, crate::demo_catalog::knit_csv_cp949())?;
    let daily = sheets_dir.join("dailylook-catalog.xlsx");
    std::fs::write(&daily, crate::demo_catalog::daily_xlsx()?)?;
    let knit_photos = sheets_dir.join("misonit-photos.zip");
    let daily_photos = sheets_dir.join("dailylook-photos.zip");
    for (path, rows) in [
        (&knit_photos, crate::demo_catalog::KNIT_SHOP),
        (&daily_photos, crate::demo_catalog::DAILY_SHOP),
    ] {
        if !path.exists() {
            std::fs::write(path, crate::demo_catalog::photo_zip(rows)?)?;
        }
    }
    let paths = MediaPaths::new(&config.data_dir);
    let mut summaries = Vec::new();
    for (wid, (sheet, photos)) in wholesaler_ids
        .iter()
        .zip([(&knit, &knit_photos), (&daily, &daily_photos)])
    {
        let (dir, rel) = paths.new_upload_dir()?;
        std::fs::copy(sheet, dir.join("sheet"))?;
        let name = sheet
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let upload = uploads::create(
            &store,
            NewUpload {
                wholesaler: *wid,
                mode: UploadMode::Merge,
                dry_run: false,
                file_name: name.clone(),
                file_path: format!("{rel}/sheet"),
                photos_path: Some(std::fs::canonicalize(photos)?.display().to_string()),
                encoding: None,
                sheet_name: None,
            },
            false,
        )
        .await?;
        let done = catalog::process(&store, &paths, upload.id, &|_, _| {}).await?;
        let c = &done.counts;
        summaries.push(format!(
            "  {name}: {} rows, {} styles created, {} unchanged, {} errors, {} warnings, {} photos (upload {})",
            c.rows, c.styles_created, c.styles_unchanged, c.errors, c.warnings, c.photos_matched, done.id
        ));
    }

    println!("DDHub demo ready in {}", config.data_dir.display());
    println!(
        "Sample catalogs ingested (the sheets are in {}):",
        sheets_dir.display()
    );
    for l in &summaries {
        println!("{l}");
    }
    println!("API keys (also in {}):", keys_path.display());
    for l in &lines {
        println!("{l}");
    }
    if no_serve {
        store.close().await?;
        return Ok(());
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!("Open:");
    println!("  http://{addr}/                 the storefront (what buyers see)");
    println!(
        "  http://{addr}/console          the wholesalers' console (sign in with a wholesaler key above)"
    );
    println!("  http://{addr}/readyz");
    println!("  http://{addr}/api/openapi.json");
    println!("  curl -H 'Authorization: Bearer <wholesaler key>' http://{addr}/api/v1/styles");
    println!("ddhub listening on http://{addr}");
    serve::serve(config, store, listener, true, runtime::shutdown_signal()).await
}
