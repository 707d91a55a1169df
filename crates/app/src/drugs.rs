//! The drug register in use: imports into the store, and the in-memory search index that every
//! server builds from it. An import writes only what changed; every server notices the new
//! catalogue version and swaps in a new index while the old one keeps answering.

use std::sync::{Arc, RwLock};

use erecept_catalog::{
    Catalog, ImportIssue, ImportScope, MergeCounts, Product, RekLists, SearchIndex,
};
use erecept_domain::clock::Clock;
use erecept_store::{Store, StoreError};

use crate::AppResult;

/// One version of the register with its index.
pub struct Snapshot {
    pub version: i64,
    pub catalog: Catalog,
    pub rek: RekLists,
    pub index: SearchIndex,
}

impl Snapshot {
    fn empty() -> Self {
        let catalog = Catalog::default();
        let rek = RekLists::default();
        let index = SearchIndex::build(&catalog, &rek);
        Self {
            version: -1,
            catalog,
            rek,
            index,
        }
    }
}

#[derive(Clone)]
pub struct Drugs {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    current: Arc<RwLock<Arc<Snapshot>>>,
}

/// The lines of a REK file per region (comments, blank lines and the header left out), in the
/// form the store keeps them.
fn rek_lines_by_region(text: &str) -> Vec<(String, String)> {
    let mut regions: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.eq_ignore_ascii_case("region;id;kommentar")
        {
            continue;
        }
        let region = trimmed
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let rows = regions.entry(region).or_default();
        rows.push_str(trimmed);
        rows.push('\n');
    }
    regions.into_iter().collect()
}

fn decode(documents: Vec<serde_json::Value>) -> AppResult<Vec<Product>> {
    documents
        .into_iter()
        .map(|d| {
            serde_json::from_value(d)
                .map_err(|e| StoreError::Corrupt(format!("product document: {e}")).into())
        })
        .collect()
}

impl Drugs {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            clock,
            current: Arc::new(RwLock::new(Arc::new(Snapshot::empty()))),
        }
    }

    /// The register as searched now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Loads the register from the store and swaps in a new index, if the store holds a newer
    /// version than the one in use. Returns whether it did.
    pub async fn refresh(&self) -> AppResult<bool> {
        let version = self.store.catalogue_version().await?;
        if version == self.snapshot().version {
            return Ok(false);
        }
        let products = decode(self.store.catalogue_products().await?)?;
        let rek_text: String = self
            .store
            .rek_lists()
            .await?
            .into_iter()
            .map(|(_, rows)| rows)
            .collect();
        let rek = RekLists::parse(&rek_text).map_err(|issues| {
            StoreError::Corrupt(format!(
                "stored REK lists: {}",
                issues.first().map(ToString::to_string).unwrap_or_default()
            ))
        })?;
        // Building the index takes a while on the full register: off the async threads.
        let snapshot = tokio::task::spawn_blocking(move || {
            let catalog = Catalog::new(products);
            let index = SearchIndex::build(&catalog, &rek);
            Snapshot {
                version,
                catalog,
                rek,
                index,
            }
        })
        .await
        .map_err(|e| StoreError::Database(format!("building the search index: {e}")))?;
        tracing::info!(
            version,
            products = snapshot.catalog.len(),
            "drug register loaded"
        );
        match self.current.write() {
            Ok(mut current) => *current = Arc::new(snapshot),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(snapshot),
        }
        Ok(true)
    }

    /// Merges imported products into the stored register: new and changed products are
    /// written, and with a total import the ones missing from it are marked withdrawn (never
    /// deleted: old prescriptions point at them). Running the same import again changes nothing.
    pub async fn import_products(
        &self,
        imported: Vec<Product>,
        scope: ImportScope,
    ) -> AppResult<MergeCounts> {
        let mut catalog = Catalog::new(decode(self.store.catalogue_products().await?)?);
        let now = self.clock.now();
        let counts = catalog.apply_import(imported, scope, now);
        let touched: Vec<(String, serde_json::Value)> = counts
            .new_ids
            .iter()
            .chain(&counts.changed_ids)
            .chain(&counts.withdrawn_ids)
            .filter_map(|id| catalog.get(id))
            .map(|p| {
                (
                    p.npl_id.as_str().to_owned(),
                    serde_json::to_value(p).unwrap_or_default(),
                )
            })
            .collect();
        if !touched.is_empty() {
            self.store.save_products(&touched, now).await?;
        }
        self.refresh().await?;
        Ok(counts)
    }

    /// Imports REK lists: a file with any bad line is refused whole (each bad line reported);
    /// otherwise the lists of the regions it names replace the stored ones.
    pub async fn import_rek(&self, text: &str) -> AppResult<Result<usize, Vec<ImportIssue>>> {
        if let Err(issues) = RekLists::parse(text) {
            return Ok(Err(issues));
        }
        let lists = rek_lines_by_region(text);
        self.store.save_rek_lists(&lists, self.clock.now()).await?;
        self.refresh().await?;
        Ok(Ok(lists.len()))
    }

    /// Development mode: an empty register gets the demo catalogue and the demo REK lists.
    pub async fn load_demo_if_empty(&self) -> AppResult<bool> {
        if !self.store.catalogue_products().await?.is_empty() {
            return Ok(false);
        }
        let demo = erecept_catalog::demo::catalog().map_err(|issues| {
            StoreError::Corrupt(format!("demo catalogue: {} bad rows", issues.len()))
        })?;
        self.import_products(demo.products().to_vec(), ImportScope::Total)
            .await?;
        let rek = erecept_catalog::demo::REK_CSV;
        if let Err(issues) = self.import_rek(rek).await? {
            return Err(
                StoreError::Corrupt(format!("demo REK lists: {} bad rows", issues.len())).into(),
            );
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rek_rows_are_grouped_by_region() {
        let text = "# kommentar\nregion;id;kommentar\n01;504949;Smärta\n\n12;C10AA01\n01;355997;\n";
        assert_eq!(
            rek_lines_by_region(text),
            vec![
                ("01".to_owned(), "01;504949;Smärta\n01;355997;\n".to_owned()),
                ("12".to_owned(), "12;C10AA01\n".to_owned())
            ]
        );
    }
}
