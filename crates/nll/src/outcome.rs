//! What the national list answers, in this crate's own terms: coded issues, the outcome of a
//! create and of an `$end`, and the reasons and activities of `$end`.

use serde::{Deserialize, Serialize};

use crate::fhir::{
    CodeableConcept, Coding, IssueSeverity, MedicationRequestStatus, OperationOutcome,
    OperationOutcomeIssue, SYSTEM_AFF, SYSTEM_END_REASON,
};

/// One coded message of the quality rules (AFF), e.g. `F.001` "Giltig förskrivarkod saknas.".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    /// The AFF code (`F.001`); empty when the service sent none.
    pub code: String,
    /// The Swedish text, as the service wrote it.
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The request was rejected because of this.
    Error,
    /// Accepted, but the prescriber should know.
    Warning,
    /// For information only.
    Information,
}

impl Issue {
    pub fn error(code: &str, text: &str) -> Self {
        Self {
            severity: Severity::Error,
            code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    pub fn warning(code: &str, text: &str) -> Self {
        Self {
            severity: Severity::Warning,
            code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    pub fn information(code: &str, text: &str) -> Self {
        Self {
            severity: Severity::Information,
            code: code.to_owned(),
            text: text.to_owned(),
        }
    }

    /// `"F.001 Giltig förskrivarkod saknas."`, as shown to the prescriber.
    pub fn message(&self) -> String {
        if self.code.is_empty() {
            self.text.clone()
        } else {
            format!("{} {}", self.code, self.text)
        }
    }

    /// Reads an OperationOutcome issue: the code and text of the first coding of `details`
    /// (falling back to `details.text`, then `diagnostics`).
    pub fn from_fhir(issue: &OperationOutcomeIssue) -> Self {
        let severity = match issue.severity {
            IssueSeverity::Fatal | IssueSeverity::Error => Severity::Error,
            IssueSeverity::Warning => Severity::Warning,
            IssueSeverity::Information | IssueSeverity::Unknown => Severity::Information,
        };
        let coding = issue.details.as_ref().and_then(|d| d.coding.first());
        let code = coding
            .and_then(|c| c.code.clone())
            .unwrap_or_default()
            .trim()
            .to_owned();
        let text = coding
            .and_then(|c| c.display.clone())
            .or_else(|| issue.details.as_ref().and_then(|d| d.text.clone()))
            .or_else(|| issue.diagnostics.clone())
            .unwrap_or_default();
        Self {
            severity,
            code,
            text,
        }
    }

    /// Writes the issue as FHIR (`details.coding` in [`SYSTEM_AFF`]).
    pub fn to_fhir(&self) -> OperationOutcomeIssue {
        let (severity, code) = match self.severity {
            Severity::Error => (IssueSeverity::Error, "business-rule"),
            Severity::Warning => (IssueSeverity::Warning, "business-rule"),
            Severity::Information => (IssueSeverity::Information, "informational"),
        };
        OperationOutcomeIssue {
            severity,
            code: code.to_owned(),
            details: Some(CodeableConcept {
                coding: vec![Coding::new(SYSTEM_AFF, &self.code).with_display(&self.text)],
                text: Some(self.message()),
            }),
            diagnostics: None,
            expression: Vec::new(),
        }
    }
}

/// All issues of an OperationOutcome.
pub fn issues_of(outcome: &OperationOutcome) -> Vec<Issue> {
    outcome.issue.iter().map(Issue::from_fhir).collect()
}

/// An OperationOutcome of these issues.
pub fn outcome_of(issues: &[Issue]) -> OperationOutcome {
    OperationOutcome::new(issues.iter().map(Issue::to_fhir).collect())
}

/// The answer to a create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateOutcome {
    /// Registered ("registrerat", or "registrerat med varningar" when `warnings` is not empty).
    Registered {
        /// The national list's id of the prescription.
        id: String,
        warnings: Vec<Issue>,
        /// True when the service recognised the idempotency key and answered with the
        /// prescription registered by an earlier call (200 instead of 201).
        replayed: bool,
    },
    /// Rejected by the quality rules ("avvisat"), with the reasons (severity error, and any
    /// warnings).
    Rejected { issues: Vec<Issue> },
}

/// The answer to an `$end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndOutcome {
    /// Ended or cancelled; the prescription now has this status.
    Ended {
        status: MedicationRequestStatus,
        issues: Vec<Issue>,
    },
    /// Refused (unknown prescription, already ended otherwise …).
    Rejected { issues: Vec<Issue> },
}

/// What `$end` does (parameter `activity`, `valueCode`). Modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EndActivity {
    /// Makulera: the remaining dispensings are removed; status `cancelled`.
    Cancel,
    /// Avsluta: the treatment has ended; status `stopped`.
    End,
}

impl EndActivity {
    pub fn code(self) -> &'static str {
        match self {
            EndActivity::Cancel => "cancel",
            EndActivity::End => "end",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "cancel" => Some(EndActivity::Cancel),
            "end" => Some(EndActivity::End),
            _ => None,
        }
    }

    /// The status a prescription has afterwards.
    pub fn resulting_status(self) -> MedicationRequestStatus {
        match self {
            EndActivity::Cancel => MedicationRequestStatus::Cancelled,
            EndActivity::End => MedicationRequestStatus::Stopped,
        }
    }
}

/// Why a prescription is ended or cancelled (parameter `reason`, coded in
/// [`SYSTEM_END_REASON`]). Modelled on the reasons of DOMAIN §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    /// Fel patient (no consent needed).
    WrongPatient,
    /// Fel läkemedel, styrka eller ändamål.
    WrongDrug,
    /// Läkemedlet är utsatt; patienten är informerad.
    Discontinued,
    /// Annan orsak.
    Other,
}

impl EndReason {
    pub const ALL: [EndReason; 4] = [
        EndReason::WrongPatient,
        EndReason::WrongDrug,
        EndReason::Discontinued,
        EndReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EndReason::WrongPatient => "fel-patient",
            EndReason::WrongDrug => "fel-lakemedel",
            EndReason::Discontinued => "utsatt",
            EndReason::Other => "annan",
        }
    }

    pub fn swedish(self) -> &'static str {
        match self {
            EndReason::WrongPatient => "Fel patient",
            EndReason::WrongDrug => "Fel läkemedel, styrka eller ändamål",
            EndReason::Discontinued => "Läkemedlet är utsatt, patienten är informerad",
            EndReason::Other => "Annan orsak",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn to_fhir(self) -> CodeableConcept {
        CodeableConcept {
            coding: vec![Coding::new(SYSTEM_END_REASON, self.code()).with_display(self.swedish())],
            text: Some(self.swedish().to_owned()),
        }
    }
}
