//! The catalogue: every product ever imported, and the idempotent merge of a new import.

use std::collections::HashMap;

use erecept_domain::{NplId, NplPackId, Varunummer};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{Package, Product};

/// Whether an import holds the whole register or only changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportScope {
    /// The whole register (NPL's nightly `*_Total_NPL.zip`): a product missing from it is
    /// marked withdrawn.
    Total,
    /// Changes only (NPL's delta file): products missing from it are left as they are.
    Delta,
}

/// What [`Catalog::apply_import`] did. The id lists tell the application which products to
/// write back to its database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeCounts {
    pub new: usize,
    pub changed: usize,
    pub withdrawn: usize,
    pub unchanged: usize,
    pub new_ids: Vec<NplId>,
    pub changed_ids: Vec<NplId>,
    pub withdrawn_ids: Vec<NplId>,
}

/// All products, sorted by NPL-id. Plain data: persist it as it is (serde) and load it back
/// (deserialising sorts again), or load the products in any order with [`Catalog::new`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CatalogData")]
pub struct Catalog {
    products: Vec<Product>,
    /// When the last import was applied.
    pub last_import: Option<Timestamp>,
}

#[derive(Deserialize)]
struct CatalogData {
    products: Vec<Product>,
    last_import: Option<Timestamp>,
}

impl From<CatalogData> for Catalog {
    fn from(d: CatalogData) -> Self {
        let mut c = Catalog::new(d.products);
        c.last_import = d.last_import;
        c
    }
}

impl Catalog {
    /// A catalogue of these products; with duplicate NPL-ids the last one wins.
    pub fn new(products: Vec<Product>) -> Self {
        let mut by_id: HashMap<NplId, Product> = HashMap::with_capacity(products.len());
        for p in products {
            by_id.insert(p.npl_id, p);
        }
        let mut products: Vec<Product> = by_id.into_values().collect();
        products.sort_by_key(|p| p.npl_id);
        Self {
            products,
            last_import: None,
        }
    }

    pub fn products(&self) -> &[Product] {
        &self.products
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    pub fn get(&self, id: &NplId) -> Option<&Product> {
        self.products
            .binary_search_by_key(id, |p| p.npl_id)
            .ok()
            .and_then(|i| self.products.get(i))
    }

    /// The product and package of an NPL-pack-id (linear scan; for the occasional lookup).
    pub fn find_package(&self, id: &NplPackId) -> Option<(&Product, &Package)> {
        self.products
            .iter()
            .find_map(|p| p.package(id).map(|pack| (p, pack)))
    }

    /// Every package with this varunummer (parallel imports can share one).
    pub fn packages_with_varunummer(&self, v: &Varunummer) -> Vec<(&Product, &Package)> {
        self.products
            .iter()
            .flat_map(|p| p.packages.iter().map(move |pack| (p, pack)))
            .filter(|(_, pack)| pack.varunummer.as_ref() == Some(v))
            .collect()
    }

    /// Merges an import. Idempotent: applying the same import twice changes nothing the second
    /// time.
    ///
    /// - a product not in the catalogue is added (new);
    /// - a product whose data differ is replaced by the imported version (changed); packages
    ///   it had that the import lacks are kept, marked not available (prescriptions point at
    ///   them);
    /// - with [`ImportScope::Total`], a product missing from the import is marked withdrawn
    ///   and its packages not available; it is never removed;
    /// - everything else is unchanged.
    ///
    /// Within one import a repeated NPL-id counts once (the last one wins).
    pub fn apply_import(
        &mut self,
        imported: Vec<Product>,
        scope: ImportScope,
        import_time: Timestamp,
    ) -> MergeCounts {
        let mut counts = MergeCounts::default();
        let mut incoming: HashMap<NplId, Product> = HashMap::with_capacity(imported.len());
        for p in imported {
            incoming.insert(p.npl_id, p);
        }
        for existing in &mut self.products {
            match incoming.remove(&existing.npl_id) {
                Some(new) => {
                    let merged = merge_product(existing, new);
                    if &merged == existing {
                        counts.unchanged += 1;
                    } else {
                        counts.changed += 1;
                        counts.changed_ids.push(merged.npl_id);
                        *existing = merged;
                    }
                }
                None if scope == ImportScope::Total && !existing.withdrawn => {
                    existing.withdrawn = true;
                    for pack in &mut existing.packages {
                        pack.available = false;
                    }
                    counts.withdrawn += 1;
                    counts.withdrawn_ids.push(existing.npl_id);
                }
                None => counts.unchanged += 1,
            }
        }
        let mut added: Vec<Product> = incoming.into_values().collect();
        added.sort_by_key(|p| p.npl_id);
        counts.new = added.len();
        counts.new_ids = added.iter().map(|p| p.npl_id).collect();
        if !added.is_empty() {
            self.products.extend(added);
            self.products.sort_by_key(|p| p.npl_id);
        }
        self.last_import = Some(import_time);
        counts
    }
}

/// The imported product, plus the existing one's packages the import lacks (not available).
fn merge_product(existing: &Product, mut new: Product) -> Product {
    for old in &existing.packages {
        if new.package(&old.npl_pack_id).is_none() {
            new.packages.push(Package {
                available: false,
                ..old.clone()
            });
        }
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{pack_id, product_id};

    fn product(n: u32, name: &str, packs: &[u32]) -> Product {
        let mut p = Product::new(product_id(n), name);
        for &k in packs {
            p.packages.push(Package::new(pack_id(k), "10 styck"));
        }
        p
    }

    fn t(s: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + s).unwrap()
    }

    #[test]
    fn new_catalog_sorts_and_dedups() {
        let c = Catalog::new(vec![
            product(2, "B", &[]),
            product(1, "A", &[]),
            product(2, "B2", &[]),
        ]);
        assert_eq!(c.len(), 2);
        assert_eq!(c.products()[0].name, "A");
        assert_eq!(c.get(&product_id(2)).unwrap().name, "B2");
        assert!(c.get(&product_id(3)).is_none());
    }

    #[test]
    fn total_import_new_changed_withdrawn_unchanged() {
        let mut c = Catalog::default();
        let first = vec![
            product(1, "Alfa", &[11]),
            product(2, "Beta", &[21]),
            product(3, "Gamma", &[31]),
        ];
        let r = c.apply_import(first.clone(), ImportScope::Total, t(0));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (3, 0, 0, 0));
        assert_eq!(c.last_import, Some(t(0)));

        // Same import again: nothing changes (idempotent).
        let before = c.clone();
        let r = c.apply_import(first, ImportScope::Total, t(1));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (0, 0, 0, 3));
        assert_eq!(c.products(), before.products());

        // Beta renamed, Gamma gone, Delta new.
        let second = vec![
            product(1, "Alfa", &[11]),
            product(2, "Beta Forte", &[21]),
            product(4, "Delta", &[41]),
        ];
        let r = c.apply_import(second.clone(), ImportScope::Total, t(2));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (1, 1, 1, 1));
        assert_eq!(r.changed_ids, [product_id(2)]);
        assert_eq!(r.withdrawn_ids, [product_id(3)]);
        assert_eq!(r.new_ids, [product_id(4)]);
        assert_eq!(c.len(), 4, "withdrawn products stay");
        let gamma = c.get(&product_id(3)).unwrap();
        assert!(gamma.withdrawn && !gamma.is_available());
        assert!(!gamma.packages[0].available);
        assert_eq!(c.get(&product_id(2)).unwrap().name, "Beta Forte");

        // Again: all unchanged, Gamma is not withdrawn twice.
        let r = c.apply_import(second, ImportScope::Total, t(3));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (0, 0, 0, 4));

        // Gamma comes back: changed (reinstated).
        let r = c.apply_import(vec![product(3, "Gamma", &[31])], ImportScope::Delta, t(4));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (0, 1, 0, 3));
        assert!(c.get(&product_id(3)).unwrap().is_available());
    }

    #[test]
    fn delta_import_withdraws_nothing() {
        let mut c = Catalog::new(vec![product(1, "Alfa", &[11]), product(2, "Beta", &[21])]);
        let r = c.apply_import(vec![product(2, "Beta", &[21])], ImportScope::Delta, t(0));
        assert_eq!((r.new, r.changed, r.withdrawn, r.unchanged), (0, 0, 0, 2));
        assert!(!c.get(&product_id(1)).unwrap().withdrawn);
    }

    #[test]
    fn dropped_package_is_kept_unavailable() {
        let mut c = Catalog::new(vec![product(1, "Alfa", &[11, 12])]);
        let import = vec![product(1, "Alfa", &[11])];
        let r = c.apply_import(import.clone(), ImportScope::Total, t(0));
        assert_eq!(r.changed, 1);
        let p = c.get(&product_id(1)).unwrap();
        assert_eq!(p.packages.len(), 2);
        assert!(p.packages[0].available);
        assert!(!p.package(&pack_id(12)).unwrap().available);
        let r = c.apply_import(import, ImportScope::Total, t(1));
        assert_eq!((r.changed, r.unchanged), (0, 1));
    }

    #[test]
    fn lookups() {
        let mut p = product(1, "Alfa", &[11]);
        p.packages[0].varunummer = Some(Varunummer::parse("012345").unwrap());
        let c = Catalog::new(vec![p]);
        assert_eq!(c.find_package(&pack_id(11)).unwrap().0.name, "Alfa");
        assert_eq!(
            c.packages_with_varunummer(&Varunummer::parse("012345").unwrap())
                .len(),
            1
        );
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Catalog>(&json).unwrap(), c);
    }
}
