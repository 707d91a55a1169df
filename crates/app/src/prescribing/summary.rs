//! "Receptsammanfattning": what the patient takes home, as PDF. It lists every item of one
//! sending with its dosage and purpose, and says where the prescription can be collected.

use erecept_domain::prescription::ItemDraft;
use erecept_pdf::Document;
use erecept_store::Prescription;

use super::ItemDocument;
use super::draft::DraftPatient;
use super::pharmacies;

fn amount(fields: &ItemDraft) -> String {
    if !fields.package_count.trim().is_empty() {
        format!("{} förpackning(ar)", fields.package_count.trim())
    } else {
        format!(
            "{} {}",
            fields.total_amount.trim(),
            fields.total_unit.trim()
        )
    }
}

fn dispensings(fields: &ItemDraft) -> String {
    let count = fields.dispensings.trim();
    let count = if count.is_empty() { "1" } else { count };
    let interval = fields.interval.trim();
    if interval.is_empty() {
        format!("{count} uttag")
    } else {
        let unit = if fields.interval_unit == "veckor" {
            "veckor"
        } else {
            "dagar"
        };
        format!("{count} uttag, med minst {interval} {unit} mellan uttagen")
    }
}

/// The PDF for the items of one sending (all for the same patient).
pub fn pdf(items: &[(Prescription, ItemDocument)]) -> Vec<u8> {
    let mut doc = Document::new("Receptsammanfattning");
    doc.heading("Receptsammanfattning");
    if let Some((first, document)) = items.first() {
        if let DraftPatient::Animal { animal } = &document.patient {
            doc.field("Djurägare", animal.owner_name.trim());
            doc.field("Djur", &document.patient.shown_identity());
        } else {
            doc.field("Patient", &document.patient.shown_name());
            doc.field("Personnummer", &document.patient.shown_identity());
        }
        doc.field("Utfärdat", &first.issued_on.to_string());
        let prescriber = &document.prescriber;
        doc.field(
            "Förskrivare",
            &format!("{}, {}", prescriber.name, prescriber.profession),
        );
        if !prescriber.workplace_name.is_empty() {
            doc.field(
                "Arbetsplats",
                &format!(
                    "{}, {}",
                    prescriber.workplace_name, prescriber.workplace_address
                ),
            );
        }
        if !prescriber.workplace_phone.is_empty() {
            doc.field("Telefon", &prescriber.workplace_phone);
        }
        match &document.patient {
            DraftPatient::Unidentified { pharmacy, .. } => {
                let name = pharmacies::by_gln(pharmacy)
                    .map(|p| p.label())
                    .unwrap_or_else(|| pharmacy.clone());
                doc.paragraph(&format!(
                    "Recepten skickas till {name}. Hämta ut läkemedlen där och ta med legitimation."
                ));
            }
            DraftPatient::Animal { animal } if !animal.receiving_pharmacy.trim().is_empty() => {
                let name = pharmacies::by_gln(&animal.receiving_pharmacy)
                    .map(|p| p.label())
                    .unwrap_or_else(|| animal.receiving_pharmacy.clone());
                doc.paragraph(&format!(
                    "Recepten skickas till {name}. Hämta ut läkemedlen där och ta med legitimation."
                ));
            }
            DraftPatient::Identified { .. } | DraftPatient::Animal { .. } => doc.paragraph(
                "Recepten finns i Nationella läkemedelslistan och kan hämtas ut på valfritt apotek i Sverige. Ta med legitimation.",
            ),
        }
    }
    for (prescription, document) in items {
        doc.rule();
        doc.subheading(&prescription.product_name);
        let fields = &document.fields;
        doc.field("Dosering", fields.dosage.trim());
        doc.field("Behandlingsändamål", fields.purpose.trim());
        doc.field("Mängd", &amount(fields));
        doc.field("Antal uttag", &dispensings(fields));
        if fields.benefit == Some(false) {
            doc.field("Förmån", "Nej, utanför läkemedelsförmånen");
        }
        if fields.no_substitution {
            doc.field("Får ej bytas ut", "Ja");
        }
        if let Some(dose) = &fields.dose {
            let times = dose
                .intakes
                .iter()
                .filter(|i| !i.time.trim().is_empty())
                .map(|i| format!("kl. {} {} dos", i.time.trim(), i.amount.trim()))
                .collect::<Vec<_>>()
                .join(", ");
            doc.field("Dosdispensering", &times);
        }
        doc.field("Status", prescription.status.swedish());
    }
    doc.space(12.0);
    doc.paragraph(
        "Frågor om recepten besvaras av din förskrivare. Frågor om läkemedlen kan också ställas på apoteket.",
    );
    doc.to_bytes()
}
