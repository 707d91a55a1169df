//! A validated item as the national prescription list receives it: a FHIR MedicationRequest
//! (DOMAIN §4), with the prescriber as a contained Practitioner and the patient by number, or
//! as a contained Patient with a receiving pharmacy. A prescription for animals carries the
//! animal in the modelled `NLLAnimal` extension and the owner as the subject (see
//! [`erecept_nll::fhir::EXT_ANIMAL`]).

use erecept_domain::prescription::{
    Amount, AnimalPrescription, Benefit, Interval, OwnerIdentity, Patient, PrescriptionItem,
    Recipient,
};
use erecept_domain::{PrescriberCode, Profession, WorkplaceCode};
use erecept_nll::fhir::{
    Annotation, CodeableConcept, Coding, DispenseRequest, Dosage, DoseAndRate, EXT_ANIMAL,
    EXT_BENEFIT, EXT_BENEFIT_CONDITIONS_MET, EXT_DOSE_DISPENSING, EXT_EXTEMPORE,
    EXT_SPECIAL_DRUG_CODE, EXT_STARTER_PACK, Extension, HumanName, Identifier, Ingredient,
    Medication, MedicationRequest, Patient as FhirPatient, Period, Practitioner, Quantity, Ratio,
    Reference, Resource, SYSTEM_NPL_ID, SYSTEM_NPL_PACK_ID, SYSTEM_ORGANISATIONSNUMMER,
    SYSTEM_PHARMACY_GLN, SYSTEM_SPECIAL_DRUG_CODE, SYSTEM_VARUNUMMER, Substitution, Timing,
    TimingRepeat,
};

use super::draft::Article;

/// Extension on MedicationRequest, `valueString`: the address of an animal owner identified by
/// birth date. Modelled, like [`EXT_ANIMAL`].
pub const EXT_OWNER_ADDRESS: &str =
    "http://electronichealth.se/fhir/StructureDefinition/NLLAnimalOwnerAddress";

/// The animal of a veterinary prescription as the modelled `NLLAnimal` extension.
fn animal_extension(animal: &AnimalPrescription) -> Extension {
    let mut nested = vec![
        Extension::string("species", &animal.species),
        Extension::code("scope", animal.scope.code()),
    ];
    if !animal.animal_id.trim().is_empty() {
        nested.push(Extension::string("identity", &animal.animal_id));
    }
    if let Some(purpose) = animal.antimicrobial_purpose {
        nested.push(Extension::code("antimicrobialPurpose", purpose.code()));
    }
    nested.push(Extension::boolean("offLabel", animal.off_label));
    Extension {
        url: EXT_ANIMAL.to_owned(),
        extension: nested,
        ..Extension::default()
    }
}

/// Who prescribes, from where.
#[derive(Debug, Clone)]
pub struct Requester<'a> {
    pub code: &'a PrescriberCode,
    pub profession: Profession,
    pub workplace: Option<&'a WorkplaceCode>,
}

/// HL7 Sweden's legitimationsyrke code of a profession.
pub fn licence_code(profession: Profession) -> &'static str {
    match profession {
        Profession::Lakare | Profession::AtLakare => "LK",
        Profession::Tandlakare => "TL",
        Profession::Tandhygienist => "TH",
        Profession::Sjukskoterska => "SJ",
        Profession::Barnmorska => "BM",
        Profession::Veterinar => "VL",
    }
}

fn quantity(value_thousandths: u64, unit: &str) -> Quantity {
    // Thousandths to a decimal: exact for every amount the form accepts.
    Quantity::new(value_thousandths as f64 / 1000.0, unit)
}

/// The MedicationRequest for one item. `authored_on` is the moment of sending (FHIR dateTime).
pub fn medication_request(
    item: &PrescriptionItem,
    article: &Article,
    requester: &Requester<'_>,
    authored_on: &str,
) -> MedicationRequest {
    let mut contained = vec![Resource::Practitioner(Box::new(Practitioner::prescriber(
        "prescriber",
        requester.code,
        licence_code(requester.profession),
        requester.profession.name(),
        requester.workplace,
    )))];
    let mut extension = Vec::new();
    match item.benefit() {
        Benefit::Yes => extension.push(Extension::boolean(EXT_BENEFIT, true)),
        Benefit::No => extension.push(Extension::boolean(EXT_BENEFIT, false)),
        Benefit::YesConditionsMet => {
            extension.push(Extension::boolean(EXT_BENEFIT, true));
            extension.push(Extension::boolean(EXT_BENEFIT_CONDITIONS_MET, true));
        }
    }
    if item.starter_pack() {
        extension.push(Extension::boolean(EXT_STARTER_PACK, true));
    }
    if let Some(code) = item.product().special_drug_code {
        extension.push(Extension::coding(
            EXT_SPECIAL_DRUG_CODE,
            Coding::new(SYSTEM_SPECIAL_DRUG_CODE, &code.code().to_string()),
        ));
    }
    if item.dose().is_some() {
        extension.push(Extension::boolean(EXT_DOSE_DISPENSING, true));
    }

    let (medication_codeable_concept, medication_reference) = match (article, item.extempore()) {
        (
            Article::Package {
                npl_id,
                npl_pack_id,
                varunummer,
                name,
                package_text,
            },
            _,
        ) => {
            let mut coding = vec![
                Coding::new(SYSTEM_NPL_ID, npl_id),
                Coding::new(SYSTEM_NPL_PACK_ID, npl_pack_id),
            ];
            if let Some(v) = varunummer {
                coding.push(Coding::new(SYSTEM_VARUNUMMER, v));
            }
            let text = if package_text.is_empty() {
                name.clone()
            } else {
                format!("{name}, {package_text}")
            };
            (
                Some(CodeableConcept {
                    coding,
                    text: Some(text),
                }),
                None,
            )
        }
        (Article::Extempore, extempore) => {
            let (ingredients, form) = extempore
                .map(|e| (e.ingredients().to_vec(), e.form().to_owned()))
                .unwrap_or_default();
            contained.push(Resource::Medication(Box::new(Medication {
                id: Some("extempore".to_owned()),
                extension: vec![Extension::boolean(EXT_EXTEMPORE, true)],
                code: Some(CodeableConcept::text(&format!("Extempore ({form})"))),
                form: Some(CodeableConcept::text(&form)),
                ingredient: ingredients
                    .iter()
                    .map(|i| Ingredient {
                        item_codeable_concept: Some(CodeableConcept::text(&i.name)),
                        strength: Some(Ratio {
                            numerator: Some(quantity(i.amount.thousandths(), &i.unit)),
                            denominator: None,
                        }),
                    })
                    .collect(),
            })));
            (None, Some(Reference::to("#extempore")))
        }
    };

    let mut performer = None;
    let mut contained_address = None;
    let subject = match item.recipient() {
        Recipient::Human(Patient::Identified { number, .. }) => Reference::patient(number),
        Recipient::Human(Patient::Unidentified {
            name,
            birth_date,
            pharmacy,
        }) => {
            contained.push(Resource::Patient(Box::new(FhirPatient {
                id: Some("patient".to_owned()),
                identifier: Vec::new(),
                name: vec![HumanName {
                    text: Some(name.clone()),
                    ..HumanName::default()
                }],
                birth_date: Some(birth_date.to_string()),
            })));
            performer = Some(Reference {
                identifier: Some(Identifier::new(SYSTEM_PHARMACY_GLN, pharmacy)),
                ..Reference::default()
            });
            Reference::to("#patient")
        }
        Recipient::Animal(animal) => {
            extension.push(animal_extension(animal));
            if let Some(pharmacy) = &animal.receiving_pharmacy {
                performer = Some(Reference {
                    identifier: Some(Identifier::new(SYSTEM_PHARMACY_GLN, pharmacy)),
                    ..Reference::default()
                });
            }
            match &animal.owner {
                OwnerIdentity::Personnummer(number) => Reference {
                    display: Some(animal.owner_name.clone()),
                    ..Reference::patient(number)
                },
                OwnerIdentity::Organisationsnummer(number) => Reference {
                    identifier: Some(Identifier::new(
                        SYSTEM_ORGANISATIONSNUMMER,
                        &number.to_string(),
                    )),
                    display: Some(animal.owner_name.clone()),
                    ..Reference::default()
                },
                OwnerIdentity::BirthDate { date, address } => {
                    contained.push(Resource::Patient(Box::new(FhirPatient {
                        id: Some("patient".to_owned()),
                        identifier: Vec::new(),
                        name: vec![HumanName {
                            text: Some(animal.owner_name.clone()),
                            ..HumanName::default()
                        }],
                        birth_date: Some(date.to_string()),
                    })));
                    contained_address = Some(address.clone());
                    Reference::to("#patient")
                }
            }
        }
    };
    if let Some(address) = contained_address {
        // The owner's address, for the receiving pharmacy.
        extension.push(Extension::string(EXT_OWNER_ADDRESS, &address));
    }

    let amount = match item.amount() {
        Amount::Packages { count, .. } => quantity(u64::from(*count) * 1000, "förpackning"),
        Amount::Total { amount, unit } => quantity(amount.thousandths(), unit),
    };
    let dispense_interval = item.interval().map(|i| match i {
        Interval::Days(d) => Quantity::days(u32::from(d)),
        Interval::Weeks(w) => Quantity::weeks(u32::from(w)),
    });
    let timing = item.dose().map(|dose| Timing {
        repeat: Some(TimingRepeat {
            bounds_period: Some(Period {
                start: Some(dose.start().to_string()),
                end: None,
            }),
            time_of_day: dose
                .intakes()
                .iter()
                .map(|i| i.time.strftime("%H:%M:%S").to_string())
                .collect(),
            ..TimingRepeat::default()
        }),
        code: None,
    });
    let dose_and_rate = item
        .dose()
        .map(|dose| {
            dose.intakes()
                .iter()
                .map(|i| DoseAndRate {
                    dose_quantity: Some(quantity(i.amount.thousandths(), "dos")),
                })
                .collect()
        })
        .unwrap_or_default();

    MedicationRequest {
        meta: Some(erecept_nll::fhir::Meta {
            profile: vec![erecept_nll::fhir::PROFILE_MEDICATION_REQUEST.to_owned()],
            ..Default::default()
        }),
        contained,
        extension,
        medication_codeable_concept,
        medication_reference,
        subject,
        authored_on: Some(authored_on.to_owned()),
        requester: Some(Reference::to("#prescriber")),
        reason_code: vec![CodeableConcept::text(item.purpose())],
        note: item
            .message()
            .map(|m| vec![Annotation { text: m.to_owned() }])
            .unwrap_or_default(),
        dosage_instruction: vec![Dosage {
            text: Some(item.dosage().to_owned()),
            timing,
            dose_and_rate,
            ..Dosage::default()
        }],
        dispense_request: Some(DispenseRequest {
            validity_period: Some(Period {
                start: Some(item.issued().to_string()),
                end: Some(item.validity().until().to_string()),
            }),
            number_of_repeats_allowed: Some(u32::from(item.dispensings()).saturating_sub(1)),
            quantity: Some(amount),
            dispense_interval,
            performer,
            ..DispenseRequest::default()
        }),
        substitution: Some(Substitution {
            allowed_boolean: Some(!item.no_substitution()),
            reason: None,
        }),
        ..MedicationRequest::default()
    }
}

#[cfg(test)]
mod tests {
    use erecept_domain::prescription::{
        DoseDraft, IntakeDraft, ItemDraft, PatientDraft, ProductFacts, RecipientDraft,
        SpecialDrugCode, validate,
    };
    use erecept_nll::fhir::MedicationRequest;
    use erecept_nll::simulator::aff;
    use jiff::civil::date;

    use super::*;

    fn item(recipient: PatientDraft, facts: &ProductFacts, dispensings: &str) -> PrescriptionItem {
        let draft = ItemDraft {
            recipient: RecipientDraft::Human(recipient),
            package_count: "2".into(),
            dosage: "1 tablett 3 gånger dagligen".into(),
            purpose: "mot smärta".into(),
            dispensings: dispensings.into(),
            interval: if dispensings == "1" { "" } else { "4" }.into(),
            interval_unit: "veckor".into(),
            benefit: Some(true),
            no_substitution: true,
            message: "Ring vid frågor".into(),
            dose: Some(DoseDraft {
                start_date: "2026-12-07".into(),
                intakes: vec![IntakeDraft {
                    time: "08:00".into(),
                    amount: "1".into(),
                }],
            }),
            ..ItemDraft::default()
        };
        validate(&draft, facts, Profession::Lakare, date(2026, 12, 3)).unwrap()
    }

    fn facts() -> ProductFacts {
        ProductFacts {
            package_size: Some("100 styck".into()),
            in_benefit_scheme: Some(true),
            ..ProductFacts::default()
        }
    }

    fn article() -> Article {
        Article::Package {
            npl_id: "20080809018523".into(),
            npl_pack_id: "20080809100014".into(),
            varunummer: Some("012345".into()),
            name: "Alvedon 500 mg Filmdragerad tablett".into(),
            package_text: "100 styck".into(),
        }
    }

    fn request(item: &PrescriptionItem) -> MedicationRequest {
        let code = PrescriberCode::parse("7654321").unwrap();
        let workplace = WorkplaceCode::parse("1234567").unwrap();
        medication_request(
            item,
            &article(),
            &Requester {
                code: &code,
                profession: Profession::Lakare,
                workplace: Some(&workplace),
            },
            "2026-12-03T10:00:00+01:00",
        )
    }

    #[test]
    fn a_complete_item_passes_the_national_lists_quality_rules() {
        let patient = PatientDraft {
            person_number: "198501012382".into(),
            ..PatientDraft::default()
        };
        let mr = request(&item(patient, &facts(), "3"));
        assert_eq!(aff::check(&mr, date(2026, 12, 3)), Vec::new());
        let dispense = mr.dispense_request.as_ref().unwrap();
        assert_eq!(dispense.number_of_repeats_allowed, Some(2), "uttag − 1");
        assert_eq!(dispense.dispense_interval, Some(Quantity::weeks(4)));
        assert_eq!(
            dispense.validity_period.as_ref().unwrap().end.as_deref(),
            Some("2027-12-03")
        );
        assert_eq!(mr.prescriber_code(), Some("7654321"));
        assert_eq!(
            mr.patient_identifier(),
            Some((erecept_nll::fhir::SYSTEM_PERSONNUMMER, "198501012382"))
        );
        assert_eq!(mr.flag(EXT_BENEFIT), Some(true));
        assert_eq!(mr.flag(EXT_DOSE_DISPENSING), Some(true));
        assert_eq!(
            mr.substitution.as_ref().unwrap().allowed_boolean,
            Some(false),
            "får ej bytas ut"
        );
        assert_eq!(
            mr.dosage_instruction[0]
                .timing
                .as_ref()
                .unwrap()
                .repeat
                .as_ref()
                .unwrap()
                .time_of_day,
            vec!["08:00:00"]
        );
    }

    #[test]
    fn a_patient_without_a_number_is_contained_with_the_receiving_pharmacy() {
        let patient = PatientDraft {
            person_number: String::new(),
            name: "John Smith".into(),
            birth_date: "1970-05-01".into(),
            pharmacy: "7350000000054".into(),
        };
        let mr = request(&item(patient, &facts(), "1"));
        assert_eq!(aff::check(&mr, date(2026, 12, 3)), Vec::new());
        assert_eq!(
            mr.contained_patient().unwrap().birth_date.as_deref(),
            Some("1970-05-01")
        );
        let performer = mr.dispense_request.unwrap().performer.unwrap();
        assert_eq!(
            performer.identifier.unwrap().value.as_deref(),
            Some("7350000000054")
        );
    }

    #[test]
    fn the_special_drug_code_travels_with_the_request() {
        let facts = ProductFacts {
            special_drug_code: Some(SpecialDrugCode::NotIterable),
            narcotics: true,
            ..facts()
        };
        let patient = PatientDraft {
            person_number: "198501012382".into(),
            ..PatientDraft::default()
        };
        let mr = request(&item(patient, &facts, "1"));
        assert_eq!(mr.special_drug_code(), Some("3"));
        assert_eq!(aff::check(&mr, date(2026, 12, 3)), Vec::new());
    }
}

#[cfg(test)]
mod animal_tests {
    use erecept_domain::prescription::{
        AnimalDraft, ItemDraft, ProductFacts, RecipientDraft, validate,
    };
    use erecept_nll::fhir::{EXT_ANIMAL, find_extension};
    use erecept_nll::simulator::aff;
    use jiff::civil::date;

    use super::*;

    fn request_for(animal: AnimalDraft) -> MedicationRequest {
        let draft = ItemDraft {
            recipient: RecipientDraft::Animal(animal),
            package_count: "1".into(),
            dosage: "1 tablett 2 gånger dagligen i 7 dagar".into(),
            purpose: "hudinfektion".into(),
            dispensings: "1".into(),
            benefit: Some(false),
            ..ItemDraft::default()
        };
        let facts = ProductFacts {
            antimicrobial: true,
            package_size: Some("14 tablett(er)".into()),
            ..ProductFacts::default()
        };
        let item = validate(&draft, &facts, Profession::Veterinar, date(2026, 12, 3)).unwrap();
        let code = PrescriberCode::parse("7654321").unwrap();
        medication_request(
            &item,
            &Article::Extempore,
            &Requester {
                code: &code,
                profession: Profession::Veterinar,
                workplace: None,
            },
            "2026-12-03T10:00:00+01:00",
        )
    }

    fn dog() -> AnimalDraft {
        AnimalDraft {
            species: "Hund".into(),
            scope: "individ".into(),
            animal_id: "Fido".into(),
            owner_name: "Anna Ångström".into(),
            owner_number: "198501012382".into(),
            antimicrobial_purpose: "terapi".into(),
            ..AnimalDraft::default()
        }
    }

    #[test]
    fn an_animal_goes_in_the_modelled_extension_with_the_owner_as_subject() {
        let mr = request_for(dog());
        let animal = find_extension(&mr.extension, EXT_ANIMAL).unwrap();
        let nested = |url: &str| find_extension(&animal.extension, url).cloned().unwrap();
        assert_eq!(nested("species").value_string.as_deref(), Some("Hund"));
        assert_eq!(nested("scope").value_code.as_deref(), Some("individ"));
        assert_eq!(
            nested("antimicrobialPurpose").value_code.as_deref(),
            Some("terapi")
        );
        assert_eq!(
            mr.patient_identifier(),
            Some((erecept_nll::fhir::SYSTEM_PERSONNUMMER, "198501012382"))
        );
        assert_eq!(aff::check(&mr, date(2026, 12, 3)), Vec::new());
    }

    #[test]
    fn an_owner_company_and_an_owner_without_a_number() {
        let company = request_for(AnimalDraft {
            owner_number: "556036-0793".into(),
            scope: "besattning".into(),
            ..dog()
        });
        assert_eq!(aff::check(&company, date(2026, 12, 3)), Vec::new());
        assert_eq!(
            company.patient_identifier().map(|(s, _)| s),
            Some(SYSTEM_ORGANISATIONSNUMMER)
        );
        let by_birth = request_for(AnimalDraft {
            owner_number: String::new(),
            owner_birth_date: "1960-02-29".into(),
            owner_address: "Storgatan 1, 222 23 Lund".into(),
            receiving_pharmacy: "7350000000054".into(),
            ..dog()
        });
        assert_eq!(aff::check(&by_birth, date(2026, 12, 3)), Vec::new());
        assert_eq!(
            by_birth.contained_patient().unwrap().birth_date.as_deref(),
            Some("1960-02-29")
        );
    }

    #[test]
    fn the_national_list_refuses_an_animal_without_species() {
        let mut mr = request_for(dog());
        let animal = mr
            .extension
            .iter_mut()
            .find(|e| e.url == EXT_ANIMAL)
            .unwrap();
        animal.extension.retain(|e| e.url != "species");
        let issues = aff::check(&mr, date(2026, 12, 3));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code, "A.001");
    }
}
