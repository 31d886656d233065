//! `ddhub demo`: a data directory with two wholesalers, one partner and a small Korean catalog,
//! then the server. Re-running it reuses everything: the keys come back from `demo-keys.txt`
//! (the demo's convenience; the database holds only their hashes) and unchanged styles stay
//! unchanged.

use anyhow::Context;
use ddhub_domain::style::{CompositionPart, Quantity, StockState, StyleState};
use ddhub_domain::wholesaler::ShopLocation;
use ddhub_domain::{Currency, Krw, Locale, RatePerKrw, RoundingRule};
use ddhub_server::config::Config;
use ddhub_server::serve;
use ddhub_store::catalog::{self, StyleInput};
use ddhub_store::keys::{self, Principal};
use ddhub_store::parties::{self, NewPartner};
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
    let store = serve::open_store(&config).await?;
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

    let mut created = 0;
    let mut unchanged = 0;
    for (i, wid) in wholesaler_ids.iter().enumerate() {
        let txn = store.begin_write().await?;
        for input in sample_styles(i) {
            match catalog::upsert_style(&txn, *wid, &input).await? {
                catalog::UpsertOutcome::Unchanged(_) => unchanged += 1,
                _ => created += 1,
            }
        }
        txn.commit().await?;
    }

    println!("DDHub demo ready in {}", config.data_dir.display());
    println!("Sample catalog: {created} styles written, {unchanged} unchanged.");
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
    println!("  http://{addr}/readyz");
    println!("  http://{addr}/api/openapi.json");
    println!("  curl -H 'Authorization: Bearer <wholesaler key>' http://{addr}/api/v1/styles");
    println!("ddhub listening on http://{addr}");
    serve::serve(config, store, listener, true, serve::shutdown_signal()).await
}

/// A few styles per demo wholesaler, as a Dongdaemun shop would list them.
fn sample_styles(shop: usize) -> Vec<StyleInput> {
    struct S(
        &'static str,
        &'static str,
        &'static str,
        i64,
        u32,
        &'static [(&'static str, u8)],
        &'static [&'static str],
        &'static [&'static str],
        bool,
    );
    let knit: &[S] = &[
        S(
            "KN-2041",
            "[당일출고] 루즈핏 꽈배기 니트 가디건 5color",
            "outer/cardigan",
            18_000,
            2,
            &[("acrylic", 70), ("wool", 30)],
            &["black", "ivory", "sky_blue", "beige", "heather_grey"],
            &["free"],
            true,
        ),
        S(
            "KN-2042",
            "반폴라 골지 니트",
            "tops/knit",
            14_500,
            3,
            &[("cotton", 60), ("polyester", 40)],
            &["black", "cream", "navy"],
            &["free"],
            true,
        ),
        S(
            "KN-2043",
            "기모 맨투맨 오버핏",
            "tops/sweatshirt",
            16_000,
            2,
            &[("cotton", 80), ("polyester", 20)],
            &["heather_grey", "black", "khaki"],
            &["free"],
            false,
        ),
        S(
            "KN-2044",
            "무지 나시 골지 탑",
            "tops/sleeveless",
            6_500,
            5,
            &[("cotton", 95), ("spandex", 5)],
            &["white", "black", "pink"],
            &["free"],
            true,
        ),
        S(
            "KN-2045",
            "7부 소매 브이넥 니트",
            "tops/knit",
            12_000,
            2,
            &[("acrylic", 100)],
            &["ivory", "camel"],
            &["55", "66", "77"],
            false,
        ),
        S(
            "KN-2046",
            "캐시미어 블렌드 롱 가디건",
            "outer/cardigan",
            32_000,
            1,
            &[("wool", 70), ("cashmere", 10), ("nylon", 20)],
            &["oatmeal", "charcoal"],
            &["free"],
            false,
        ),
    ];
    let daily: &[S] = &[
        S(
            "DL-501",
            "[빠른배송] 연청 와이드 데님 팬츠 9부",
            "bottoms/pants/denim",
            21_000,
            2,
            &[("cotton", 98), ("spandex", 2)],
            &["light_denim", "mid_denim"],
            &["25", "26", "27", "28", "29", "30"],
            true,
        ),
        S(
            "DL-502",
            "진청 일자 데님 팬츠",
            "bottoms/pants/denim",
            22_000,
            2,
            &[("cotton", 100)],
            &["dark_denim"],
            &["s", "m", "l"],
            false,
        ),
        S(
            "DL-503",
            "멜란지 후드 집업",
            "outer/hoodie",
            19_500,
            2,
            &[("cotton", 60), ("polyester", 40)],
            &["heather_grey", "navy"],
            &["free"],
            true,
        ),
        S(
            "DL-504",
            "린넨 셔츠 원피스",
            "dresses/dress",
            27_000,
            1,
            &[("linen", 55), ("cotton", 45)],
            &["beige", "white", "sky_blue"],
            &["55", "66"],
            false,
        ),
        S(
            "DL-505",
            "[주문폭주] 핀턱 슬랙스",
            "bottoms/pants/slacks",
            17_000,
            3,
            &[("polyester", 95), ("spandex", 5)],
            &["black", "beige", "charcoal"],
            &["s", "m", "l", "xl"],
            true,
        ),
        S(
            "DL-506",
            "플리츠 롱 스커트",
            "bottoms/skirt",
            15_000,
            2,
            &[("polyester", 100)],
            &["black", "mint"],
            &["free"],
            false,
        ),
    ];
    let rows = if shop == 0 { knit } else { daily };
    rows.iter()
        .map(
            |S(code, title, category, price, moq, comp, colours, sizes, same_day)| {
                let mut skus = Vec::new();
                for c in colours.iter() {
                    for s in sizes.iter() {
                        skus.push((c.to_string(), s.to_string(), StockState::InStock));
                    }
                }
                let mut input = StyleInput {
                    style_code: code.to_string(),
                    title_ko: title.to_string(),
                    category: category.to_string(),
                    price: Krw(*price),
                    moq: Quantity(*moq),
                    composition: comp
                        .iter()
                        .map(|(m, p)| CompositionPart {
                            material: m.to_string(),
                            percent: *p,
                        })
                        .collect(),
                    origin: Some("KR".into()),
                    season: Some("fw".into()),
                    same_day_dispatch: *same_day,
                    description_ko: Some(format!("{title}. 동대문 도매 상품입니다.")),
                    state: StyleState::Active,
                    extra: serde_json::Map::new(),
                    skus,
                    content_hash: String::new(),
                };
                input.content_hash = catalog::content_hash(&input);
                input
            },
        )
        .collect()
}
