//! `cargo run --release -p erecept-bench`: the benchmark command of eRecept.
//!
//! Prints each figure beside its baseline measured in the same run, as a ratio (DESIGN §7).
//! The product search: the `SearchIndex` of `erecept-catalog` (ranking with the REK-list of
//! region 01 and typo tolerance on, as the prescriber's search uses it) against SQLite FTS5
//! over the same text, unranked and ranked by bm25, on three catalogues: the demo catalogue,
//! the real package rows of `shared/data/npl/lakemedel-packages.ndjson`, and a generated
//! catalogue of 50,000 packages. The send path: one item validated, stored and queued through
//! the application on its SQLite store, against a raw durable SQLite insert ([`send`]). The
//! page render: "Nytt recept" through the whole web router, against a bare axum handler
//! ([`render`]).
//!
//! Environment: `ERECEPT_SHARED_DATA` (the shared data folder; default `../shared/data` beside
//! the workspace), `ERECEPT_BENCH_ROUNDS` (rounds over the query list; default 200), `TMPDIR`
//! (where the send path's database files go; durable writes cost what that disk costs).

#![forbid(unsafe_code)]

mod fts;
mod generate;
mod render;
mod send;
mod service;
mod stats;
mod turns;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, anyhow};
use erecept_catalog::{Catalog, RekLists, SearchIndex, SearchOptions, demo, packages_ndjson};
use erecept_domain::County;

use crate::fts::{Fts, Ranking};
use crate::render::RenderRun;
use crate::send::SendRun;
use crate::service::Service;
use crate::stats::{Summary, ms, nanos, ratio, thousands, us};

/// Realistic as-you-type queries: growing prefixes of common names and substances, several
/// words, an ATC code, varunummer, typos, Swedish letters and their ASCII folding.
const QUERIES: &[&str] = &[
    "a",
    "al",
    "alv",
    "alved",
    "alvedon",
    "i",
    "ip",
    "ipr",
    "ipren",
    "met",
    "metf",
    "metfor",
    "metformin",
    "sim",
    "simva",
    "simvasta",
    "simvastatin",
    "para",
    "parac",
    "paraceta",
    "om",
    "omep",
    "omeprazo",
    "kåv",
    "kav",
    "kåvepeni",
    "ser",
    "sertr",
    "war",
    "warfarin",
    "ibu",
    "amox",
    "levax",
    "atorva",
    "alvedon 500",
    "metformin tab",
    "simvastatin 20 mg",
    "N02BE01",
    "c10aa",
    "504949",
    "012345",
    "simvastatn",
    "alvedn",
    "metfromin",
    "paracetmol",
    "omeprazl",
    "läkemedel",
    "lakemedel",
    "ögondroppar",
    "ogondr",
    "lösning",
    "losning",
];

/// Rounds over the query list that are not recorded.
const WARM_UP_ROUNDS: usize = 10;
const DEFAULT_ROUNDS: usize = 200;
/// Hits per query, as a result list shows them.
const LIMIT: usize = 20;

/// The dataset whose figures the targets are checked on.
const TARGET_DATASET: &str = "generated 50,000 packages";

struct Dataset {
    name: String,
    catalog: Catalog,
    rek: RekLists,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Index,
    Fts(Ranking),
}

impl Engine {
    const ALL: [Engine; 3] = [
        Engine::Index,
        Engine::Fts(Ranking::Unranked),
        Engine::Fts(Ranking::Bm25),
    ];

    fn label(self) -> &'static str {
        match self {
            Engine::Index => "SearchIndex",
            Engine::Fts(Ranking::Unranked) => "FTS5 unranked",
            Engine::Fts(Ranking::Bm25) => "FTS5 ranked (bm25)",
        }
    }
}

/// The timings of one engine on one dataset.
struct EngineRun {
    engine: Engine,
    /// Every recorded query, in nanoseconds.
    samples: Vec<u64>,
    /// Per query of [`QUERIES`].
    per_query: Vec<Vec<u64>>,
    /// Hits per query.
    hits: Vec<usize>,
}

struct DatasetRun {
    name: String,
    products: usize,
    packages: usize,
    index_build_ns: u64,
    fts_load_ns: u64,
    /// Empty when FTS5 is not available.
    engines: Vec<EngineRun>,
}

impl DatasetRun {
    fn engine(&self, engine: Engine) -> Option<&EngineRun> {
        self.engines.iter().find(|e| e.engine == engine)
    }

    fn summary(&self, engine: Engine) -> Option<Summary> {
        self.engine(engine).map(|e| Summary::of(&e.samples))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let started = Instant::now();
    let rounds = match std::env::var("ERECEPT_BENCH_ROUNDS") {
        Ok(v) => v
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| anyhow!("ERECEPT_BENCH_ROUNDS={v:?} is not a positive number"))?,
        Err(_) => DEFAULT_ROUNDS,
    };

    println!("eRecept benchmark (erecept-bench)");
    if cfg!(debug_assertions) {
        println!(
            "WARNING: debug build; figures mean nothing. Run `cargo run --release -p erecept-bench`."
        );
    }
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "{cores} cores; {rounds} rounds over {} queries per engine and dataset after {WARM_UP_ROUNDS} warm-up rounds, engines taking turns each round; {LIMIT} hits per query",
        QUERIES.len()
    );

    let load_at_start = load_average();
    if let Some(load) = &load_at_start {
        println!(
            "load average at start: {load} (above {cores} other work competes for the cores and p99 suffers)"
        );
    }

    let mut notes = Vec::new();
    let datasets = datasets(&mut notes)?;

    // FTS5 available?
    let mut fts_available = true;
    let mut floor = None;
    match Fts::open().await {
        Ok(mut probe) => {
            let version = probe.sqlite_version().await?;
            println!(
                "baseline: SQLite {version} (bundled with sqlx) FTS5, in memory, prefix='2 3 4', queried through sqlx"
            );
            floor = Some(sqlx_floor(&mut probe, rounds * QUERIES.len()).await?);
        }
        Err(e) => {
            fts_available = false;
            println!("baseline: FTS5 NOT AVAILABLE ({e:#}); only the index is measured");
        }
    }
    for note in &notes {
        println!("note: {note}");
    }
    println!();

    let mut runs = Vec::new();
    for dataset in &datasets {
        let run = run_dataset(dataset, rounds, fts_available).await?;
        runs.push(run);
    }

    print_table(&runs, floor);
    print_ratios(&runs);
    if let Some(run) = runs.iter().find(|r| r.name == TARGET_DATASET) {
        print_per_query(run);
        print_targets(run);
    }

    eprintln!("measuring the send path and the page render…");
    let service = Service::start().await.context("starting the application")?;
    println!(
        "send path and page render: the application on a SQLite file in {} ({}), one operation at a time, in turns for at least 2 s each after 0.5 s of warm-up",
        service.dir.display(),
        service::file_system(&service.dir)
    );
    let sent = send::measure(&service).await.context("the send path")?;
    let rendered = render::measure(&service).await.context("the page render")?;
    service.close().await;
    println!();
    print_other(&sent, &rendered);
    if let Some(load) = load_average() {
        println!("load average at end: {load}");
    }
    println!("total run time {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The 1, 5 and 15 minute load averages (Linux), to judge how busy the machine was.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let fields: Vec<&str> = text.split_whitespace().take(3).collect();
    (fields.len() == 3).then(|| fields.join(" "))
}

/// Where `shared/data` is: `ERECEPT_SHARED_DATA`, else beside the workspace.
fn shared_data_dir() -> PathBuf {
    match std::env::var_os("ERECEPT_SHARED_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    }
}

fn datasets(notes: &mut Vec<String>) -> Result<Vec<Dataset>> {
    let mut out = Vec::new();
    let demo_rek = demo::rek_lists().map_err(|i| anyhow!("demo REK-lists refused: {i:?}"))?;
    out.push(Dataset {
        name: "demo catalogue".to_owned(),
        catalog: demo::catalog().map_err(|i| anyhow!("demo catalogue refused: {i:?}"))?,
        rek: demo_rek.clone(),
    });

    let path = shared_data_dir().join("npl/lakemedel-packages.ndjson");
    match std::fs::File::open(&path) {
        Ok(file) => {
            let imported = packages_ndjson::parse(std::io::BufReader::new(file));
            let report = &imported.report;
            notes.push(format!(
                "real rows: {} read {} lines, {} accepted, {} skipped (lines that are not strict JSON); no ATC or substances in that list; demo REK-lists",
                path.display(),
                thousands(report.read),
                thousands(report.accepted),
                thousands(report.skipped.len())
            ));
            out.push(Dataset {
                name: format!("real NPL rows ({})", thousands(report.read)),
                catalog: Catalog::new(packages_ndjson::to_products(&imported.items)),
                rek: demo_rek,
            });
        }
        Err(e) => notes.push(format!(
            "real rows SKIPPED: {} cannot be read ({e}); set ERECEPT_SHARED_DATA to the shared/data folder",
            path.display()
        )),
    }

    let (catalog, rek) =
        generate::catalogue().context("generating the 50,000-package catalogue")?;
    out.push(Dataset {
        name: TARGET_DATASET.to_owned(),
        catalog,
        rek,
    });
    Ok(out)
}

/// `SELECT 1` through sqlx: what every FTS5 figure pays before SQLite does any work.
async fn sqlx_floor(fts: &mut Fts, count: usize) -> Result<Summary> {
    for _ in 0..200 {
        black_box(fts.select_one().await?);
    }
    let mut samples = Vec::with_capacity(count);
    for _ in 0..count {
        let t = Instant::now();
        black_box(fts.select_one().await?);
        samples.push(nanos(t.elapsed()));
    }
    Ok(Summary::of(&samples))
}

async fn run_dataset(dataset: &Dataset, rounds: usize, fts_available: bool) -> Result<DatasetRun> {
    let products = dataset.catalog.len();
    let packages = dataset
        .catalog
        .products()
        .iter()
        .map(|p| p.packages.len())
        .sum();
    eprintln!(
        "measuring {} ({} products, {} packages)…",
        dataset.name,
        thousands(products),
        thousands(packages)
    );

    let t = Instant::now();
    let index = SearchIndex::build(&dataset.catalog, &dataset.rek);
    let index_build_ns = nanos(t.elapsed());
    let options = SearchOptions {
        kind: None,
        include_unavailable: false,
        region: Some(County::Stockholm),
        limit: LIMIT,
    };

    let mut fts = None;
    let mut fts_load_ns = 0;
    if fts_available {
        let t = Instant::now();
        let mut db = Fts::open().await?;
        db.load(dataset.catalog.products()).await?;
        fts_load_ns = nanos(t.elapsed());
        fts = Some(db);
    }

    let engines: Vec<Engine> = if fts.is_some() {
        Engine::ALL.to_vec()
    } else {
        vec![Engine::Index]
    };
    let mut runs: Vec<EngineRun> = engines
        .iter()
        .map(|&engine| EngineRun {
            engine,
            samples: Vec::with_capacity(rounds * QUERIES.len()),
            per_query: vec![Vec::with_capacity(rounds); QUERIES.len()],
            hits: vec![0; QUERIES.len()],
        })
        .collect();

    // Engines take turns per round, so drift on the machine touches all of them alike, and they
    // share the caches as in a server (measured each in a block of its own, the index runs
    // faster: it has the larger working set).
    for round in 0..WARM_UP_ROUNDS + rounds {
        let record = round >= WARM_UP_ROUNDS;
        for run in &mut runs {
            for (q, query) in QUERIES.iter().enumerate() {
                let (elapsed, hits) = match run.engine {
                    Engine::Index => {
                        let t = Instant::now();
                        let hits = black_box(index.search(black_box(query), &options)).len();
                        (t.elapsed(), hits)
                    }
                    Engine::Fts(ranking) => {
                        let Some(db) = fts.as_mut() else { continue };
                        let t = Instant::now();
                        let hits = black_box(db.search(black_box(query), ranking).await?);
                        (t.elapsed(), hits)
                    }
                };
                if record {
                    let ns = nanos(elapsed);
                    run.samples.push(ns);
                    if let Some(list) = run.per_query.get_mut(q) {
                        list.push(ns);
                    }
                } else if let Some(h) = run.hits.get_mut(q) {
                    *h = hits;
                }
            }
        }
    }

    Ok(DatasetRun {
        name: dataset.name.clone(),
        products,
        packages,
        index_build_ns,
        fts_load_ns,
        engines: runs,
    })
}

fn print_table(runs: &[DatasetRun], floor: Option<Summary>) {
    println!("SEARCH LATENCY per query (µs), {LIMIT} hits, all queries pooled");
    println!(
        "{:<28} {:>9} {:>9}  {:<19} {:>9} {:>9} {:>9}  {:>9}  build",
        "dataset", "products", "packages", "engine", "p50", "p99", "mean", "found"
    );
    println!("{}", "-".repeat(124));
    for run in runs {
        for (i, e) in run.engines.iter().enumerate() {
            let s = Summary::of(&e.samples);
            let (name, products, packages) = if i == 0 {
                (
                    run.name.clone(),
                    thousands(run.products),
                    thousands(run.packages),
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            let found = e.hits.iter().filter(|&&h| h > 0).count();
            let build = match e.engine {
                Engine::Index => format!("index built in {} ms", ms(run.index_build_ns as f64)),
                Engine::Fts(Ranking::Unranked) => {
                    format!("table loaded in {} ms", ms(run.fts_load_ns as f64))
                }
                Engine::Fts(Ranking::Bm25) => String::new(),
            };
            println!(
                "{:<28} {:>9} {:>9}  {:<19} {:>9} {:>9} {:>9}  {:>4}/{:<4}  {}",
                name,
                products,
                packages,
                e.engine.label(),
                us(s.p50),
                us(s.p99),
                us(s.mean),
                found,
                QUERIES.len(),
                build
            );
        }
    }
    println!("{}", "-".repeat(124));
    println!(
        "found: queries with at least one hit (FTS5 has no typo tolerance; the index hides unavailable products)"
    );
    if let Some(f) = floor {
        println!(
            "sqlx floor (`SELECT 1` round trip, included in every FTS5 figure): p50 {} µs, p99 {} µs, mean {} µs",
            us(f.p50),
            us(f.p99),
            us(f.mean)
        );
    }
    println!();
}

fn print_ratios(runs: &[DatasetRun]) {
    println!("RATIOS (index / baseline; below 1 the index is faster)");
    println!(
        "{:<28} {:>22} {:>22} {:>22} {:>22}",
        "dataset",
        "p50 idx/FTS5-unranked",
        "p99 idx/FTS5-unranked",
        "p50 idx/FTS5-ranked",
        "p99 idx/FTS5-ranked"
    );
    println!("{}", "-".repeat(121));
    for run in runs {
        let (Some(index), Some(unranked), Some(ranked)) = (
            run.summary(Engine::Index),
            run.summary(Engine::Fts(Ranking::Unranked)),
            run.summary(Engine::Fts(Ranking::Bm25)),
        ) else {
            println!("{:<28} no baseline (FTS5 not available)", run.name);
            continue;
        };
        println!(
            "{:<28} {:>22} {:>22} {:>22} {:>22}",
            run.name,
            ratio(index.p50, unranked.p50),
            ratio(index.p99, unranked.p99),
            ratio(index.p50, ranked.p50),
            ratio(index.p99, ranked.p99),
        );
    }
    println!();
}

fn print_per_query(run: &DatasetRun) {
    let Some(index) = run.engine(Engine::Index) else {
        return;
    };
    let unranked = run.engine(Engine::Fts(Ranking::Unranked));
    let ranked = run.engine(Engine::Fts(Ranking::Bm25));
    println!(
        "PER QUERY on {} (p50 µs, hits shown up to {LIMIT})",
        run.name
    );
    println!(
        "{:<20} {:>10} {:>6}   {:>14} {:>6}   {:>14} {:>6}",
        "query", "index", "hits", "FTS5 unranked", "hits", "FTS5 ranked", "hits"
    );
    println!("{}", "-".repeat(86));
    let cell = |run: Option<&EngineRun>, q: usize| -> (String, String) {
        match run {
            Some(r) => (
                us(Summary::of(r.per_query.get(q).map_or(&[][..], Vec::as_slice)).p50),
                r.hits.get(q).copied().unwrap_or_default().to_string(),
            ),
            None => ("-".to_owned(), "-".to_owned()),
        }
    };
    for (q, query) in QUERIES.iter().enumerate() {
        let (i_t, i_h) = cell(Some(index), q);
        let (u_t, u_h) = cell(unranked, q);
        let (r_t, r_h) = cell(ranked, q);
        println!(
            "{:<20} {:>10} {:>6}   {:>14} {:>6}   {:>14} {:>6}",
            format!("{query:?}"),
            i_t,
            i_h,
            u_t,
            u_h,
            r_t,
            r_h
        );
    }
    println!();
}

fn print_targets(run: &DatasetRun) {
    println!(
        "TARGETS on {} (index with REK ranking and typo tolerance on)",
        run.name
    );
    let Some(index) = run.summary(Engine::Index) else {
        return;
    };
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "{}  search p99 <= 1 ms: index p99 {} ms",
        verdict(index.p99 <= 1_000_000.0),
        ms(index.p99)
    );
    match (
        run.summary(Engine::Fts(Ranking::Unranked)),
        run.summary(Engine::Fts(Ranking::Bm25)),
    ) {
        (Some(unranked), Some(ranked)) => {
            let speedup = if index.p99 > 0.0 {
                ranked.p99 / index.p99
            } else {
                f64::INFINITY
            };
            println!(
                "{}  >= 10x faster at p99 than FTS5 ranked: {:.1}x (index {} µs, FTS5 ranked {} µs)",
                verdict(speedup >= 10.0),
                speedup,
                us(index.p99),
                us(ranked.p99)
            );
            println!(
                "{}  p50 no slower than FTS5 unranked: index {} µs, FTS5 unranked {} µs (ratio {})",
                verdict(index.p50 <= unranked.p50),
                us(index.p50),
                us(unranked.p50),
                ratio(index.p50, unranked.p50)
            );
        }
        _ => {
            println!(
                "MISS  >= 10x faster at p99 than FTS5 ranked: not measured (FTS5 not available)"
            );
            println!("MISS  p50 no slower than FTS5 unranked: not measured (FTS5 not available)");
        }
    }
    println!();
}

/// Rates: the figure's over the baseline's (above 1 the figure is faster).
fn rate_ratio(figure: &Summary, baseline: &Summary) -> f64 {
    if baseline.per_second() > 0.0 {
        figure.per_second() / baseline.per_second()
    } else {
        0.0
    }
}

fn print_other(sent: &SendRun, rendered: &RenderRun) {
    let rows = [
        (
            "send path (items/s)",
            format!("send (\"Skicka recept\") of one item: {}", sent.article),
            Summary::of(&sent.send_only),
        ),
        (
            "",
            "  with add_item before it (not a target)".to_owned(),
            Summary::of(&sent.send),
        ),
        (
            "",
            format!(
                "raw durable insert, {} bytes (baseline)",
                thousands(sent.document_bytes)
            ),
            Summary::of(&sent.insert),
        ),
        (
            "page render (requests/s)",
            format!(
                "GET /recept/nytt, {} bytes, whole router",
                thousands(rendered.page_bytes)
            ),
            Summary::of(&rendered.page),
        ),
        (
            "",
            "bare axum handler, same size (baseline)".to_owned(),
            Summary::of(&rendered.bare),
        ),
    ];
    println!("SEND PATH AND PAGE RENDER (latency in µs; per second = 1 / mean, one at a time)");
    println!(
        "{:<26} {:<58} {:>10} {:>9} {:>9} {:>9} {:>8}",
        "figure", "measured", "per second", "p50", "p99", "mean", "count"
    );
    println!("{}", "-".repeat(135));
    for (figure, measured, s) in &rows {
        println!(
            "{:<26} {:<58} {:>10} {:>9} {:>9} {:>9} {:>8}",
            figure,
            measured,
            thousands(s.per_second().round() as usize),
            us(s.p50),
            us(s.p99),
            us(s.mean),
            thousands(s.count)
        );
    }
    println!("{}", "-".repeat(135));
    println!(
        "the send path's set-up of each item (the patient again: sending empties the draft) is not recorded; no worker runs, so the jobs stay queued"
    );
    println!();

    let [send, _, insert, page, bare] = rows.map(|(_, _, s)| s);
    let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!("TARGETS of the send path and page render (ratios of per-second figures)");
    let r = rate_ratio(&send, &insert);
    println!(
        "{}  send path >= 0.5x raw durable insert: {r:.3}x ({} items/s, baseline {} rows/s)",
        verdict(r >= 0.5),
        thousands(send.per_second().round() as usize),
        thousands(insert.per_second().round() as usize)
    );
    let r = rate_ratio(&page, &bare);
    println!(
        "{}  page render >= 0.3x bare axum handler: {r:.3}x ({} requests/s, baseline {} requests/s)",
        verdict(r >= 0.3),
        thousands(page.per_second().round() as usize),
        thousands(bare.per_second().round() as usize)
    );
    println!();
}
