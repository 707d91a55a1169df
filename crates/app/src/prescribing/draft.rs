//! The prescription being written ("Nytt recept"): patient, workplace and items, kept in the
//! store between visits so that nothing typed is lost. It becomes prescriptions only when sent.

use erecept_domain::prescription::{AnimalDraft, ItemDraft, RecipientDraft};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What is prescribed: a package from the drug register, or an extempore preparation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Article {
    Package {
        npl_id: String,
        npl_pack_id: String,
        #[serde(default)]
        varunummer: Option<String>,
        /// "Alvedon 500 mg Filmdragerad tablett".
        name: String,
        /// "100 styck".
        package_text: String,
    },
    Extempore,
}

impl Article {
    /// The article as lists and the summary show it.
    pub fn display(&self, fields: &ItemDraft) -> String {
        match self {
            Article::Package {
                name, package_text, ..
            } => {
                if package_text.is_empty() {
                    name.clone()
                } else {
                    format!("{name}, {package_text}")
                }
            }
            Article::Extempore => {
                let form = fields
                    .extempore
                    .as_ref()
                    .map(|e| e.form.trim().to_owned())
                    .unwrap_or_default();
                if form.is_empty() {
                    "Extempore".to_owned()
                } else {
                    format!("Extempore ({form})")
                }
            }
        }
    }
}

/// The patient of the draft, once given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DraftPatient {
    /// By personnummer or samordningsnummer (12 digits).
    Identified {
        number: String,
        name: String,
        /// From the population register; empty without the add-on or for a protected identity.
        #[serde(default)]
        address: Vec<String>,
        /// Skyddad identitet: no name or address may be shown.
        #[serde(default)]
        protected: bool,
        /// The name came from the population register (not typed).
        #[serde(default)]
        from_register: bool,
    },
    /// Without a Swedish number: name, birth date and the one pharmacy that receives it.
    Unidentified {
        name: String,
        birth_date: String,
        /// The pharmacy's GLN.
        pharmacy: String,
    },
    /// An animal (veterinarians only): species, individ / grupp / besättning, its owner. The
    /// antimicrobial purpose and off-label use belong to each item.
    Animal { animal: AnimalDraft },
}

impl DraftPatient {
    /// How history finds the patient: the number, or name and birth date.
    pub fn key(&self) -> String {
        match self {
            DraftPatient::Identified { number, .. } => number.clone(),
            DraftPatient::Unidentified {
                name, birth_date, ..
            } => format!("{birth_date} {name}"),
            DraftPatient::Animal { animal } => {
                let number: String = animal
                    .owner_number
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                if number.is_empty() {
                    format!(
                        "{} {}",
                        animal.owner_birth_date.trim(),
                        animal.owner_name.trim()
                    )
                } else {
                    number
                }
            }
        }
    }

    pub fn name(&self) -> &str {
        match self {
            DraftPatient::Identified { name, .. } | DraftPatient::Unidentified { name, .. } => name,
            DraftPatient::Animal { animal } => animal.owner_name.trim(),
        }
    }

    /// The number as shown: ÅÅÅÅMMDD-NNNN, or the birth date.
    pub fn shown_identity(&self) -> String {
        match self {
            DraftPatient::Identified { number, .. } if number.len() == 12 => {
                format!("{}-{}", &number[..8], &number[8..])
            }
            DraftPatient::Identified { number, .. } => number.clone(),
            DraftPatient::Unidentified { birth_date, .. } => format!("född {birth_date}"),
            DraftPatient::Animal { animal } => {
                let owner = if animal.owner_number.trim().is_empty() {
                    format!("född {}", animal.owner_birth_date.trim())
                } else {
                    animal.owner_number.trim().to_owned()
                };
                let id = if animal.animal_id.trim().is_empty() {
                    String::new()
                } else {
                    format!(" {}", animal.animal_id.trim())
                };
                format!("{}{id}, djurägare {owner}", animal.species.trim())
            }
        }
    }

    /// The name as shown: hidden for a protected identity.
    pub fn shown_name(&self) -> String {
        match self {
            DraftPatient::Identified {
                protected: true, ..
            } => "Skyddad identitet".to_owned(),
            other => other.name().to_owned(),
        }
    }

    /// The recipient of an item for validation: the patient, or the animal with the item's own
    /// antimicrobial purpose and off-label use (taken from `item`).
    pub fn recipient(&self, item: &RecipientDraft) -> RecipientDraft {
        match self {
            DraftPatient::Animal { animal } => {
                let (purpose, off_label) = match item {
                    RecipientDraft::Animal(a) => (a.antimicrobial_purpose.clone(), a.off_label),
                    RecipientDraft::Human(_) => (String::new(), false),
                };
                RecipientDraft::Animal(AnimalDraft {
                    antimicrobial_purpose: purpose,
                    off_label,
                    ..animal.clone()
                })
            }
            human => RecipientDraft::Human(human.item_recipient()),
        }
    }

    pub fn is_animal(&self) -> bool {
        matches!(self, DraftPatient::Animal { .. })
    }

    /// The patient part of an item draft, for validation (empty for an animal).
    pub fn item_recipient(&self) -> erecept_domain::prescription::PatientDraft {
        match self {
            DraftPatient::Identified { number, name, .. } => {
                erecept_domain::prescription::PatientDraft {
                    person_number: number.clone(),
                    name: name.clone(),
                    ..Default::default()
                }
            }
            DraftPatient::Unidentified {
                name,
                birth_date,
                pharmacy,
            } => erecept_domain::prescription::PatientDraft {
                person_number: String::new(),
                name: name.clone(),
                birth_date: birth_date.clone(),
                pharmacy: pharmacy.clone(),
            },
            DraftPatient::Animal { .. } => erecept_domain::prescription::PatientDraft::default(),
        }
    }
}

/// One item of the draft: the article and the fields as typed (already checked once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftItem {
    pub article: Article,
    pub fields: ItemDraft,
}

/// The whole draft. Its id becomes the batch id when sent, so that sending it twice (a double
/// click, a repeated form) stores the prescriptions once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: Uuid,
    /// The workplace prescribed from (its arbetsplatskod and region go on the prescription).
    #[serde(default)]
    pub workplace: Option<Uuid>,
    #[serde(default)]
    pub patient: Option<DraftPatient>,
    #[serde(default)]
    pub items: Vec<DraftItem>,
}

impl Draft {
    pub fn new() -> Self {
        Self {
            id: Uuid::now_v7(),
            workplace: None,
            patient: None,
            items: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.patient.is_none() && self.items.is_empty()
    }
}

impl Default for Draft {
    fn default() -> Self {
        Self::new()
    }
}
