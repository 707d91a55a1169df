//! The annual licence and the rules that decide whether a prescriber may log in (SPEC §2.2).

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Days from the start of a licence year until the payment must have arrived (three weeks).
pub const PAYMENT_DAYS: i32 = 21;

/// One licence year of an own (not group) licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub starts_on: Date,
    /// The last day of the licence year (inclusive).
    pub ends_on: Date,
    pub payment_due_on: Date,
    pub paid_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenceStatus {
    /// Paid, within its year.
    Active,
    /// Within its year, not paid, the payment not yet late.
    AwaitingPayment { due_on: Date },
    /// Not paid by the due date (reason a).
    Unpaid,
    /// The year has ended (reason b).
    Expired,
}

impl Licence {
    /// A licence year starting on `day`: one year, payment due in three weeks.
    pub fn starting(day: Date) -> Self {
        let ends_on = day
            .checked_add(1.year())
            .and_then(|d| d.checked_sub(1.day()))
            .unwrap_or(Date::MAX);
        let payment_due_on = day.checked_add(PAYMENT_DAYS.days()).unwrap_or(Date::MAX);
        Self {
            starts_on: day,
            ends_on,
            payment_due_on,
            paid_on: None,
        }
    }

    pub fn status(&self, today: Date) -> LicenceStatus {
        if today > self.ends_on {
            LicenceStatus::Expired
        } else if self.paid_on.is_some() {
            LicenceStatus::Active
        } else if today > self.payment_due_on {
            LicenceStatus::Unpaid
        } else {
            LicenceStatus::AwaitingPayment {
                due_on: self.payment_due_on,
            }
        }
    }
}

/// How a prescriber is licensed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Licensing {
    Own(Licence),
    /// Member of a group licence (an agreement of an organisation).
    Group {
        web_login_allowed: bool,
    },
    /// Was a member of a group licence, is no longer, and has no own licence yet.
    LeftGroup,
}

/// Why there is no active licence ("Det finns ingen aktiv licens"), reasons a–d of the manual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoActiveLicence {
    Unpaid,
    Expired,
    GroupForbidsWebLogin,
    LeftGroup,
}

impl NoActiveLicence {
    pub const HEADING: &'static str = "Det finns ingen aktiv licens";

    /// The reason, as the login page states it.
    pub fn reason(self) -> &'static str {
        match self {
            NoActiveLicence::Unpaid => "Licensen är inte betald",
            NoActiveLicence::Expired => "Årslicensen har gått ut",
            NoActiveLicence::GroupForbidsWebLogin => {
                "Du ingår i en grupplicens som inte tillåter inloggning via webben"
            }
            NoActiveLicence::LeftGroup => "Du har tidigare tillhört en grupplicens",
        }
    }

    /// What it means and what to do.
    pub fn explanation(self) -> &'static str {
        match self {
            NoActiveLicence::Unpaid => {
                "Betalningen ska ha kommit fram inom 3 veckor efter att årslicensen började. Licensen blir aktiv och inloggningen fungerar så snart betalningen har registrerats. Har du betalat, ber vi dig kontakta support – vi har kanske inte kunnat se att betalningen gäller just din licens."
            }
            NoActiveLicence::Expired => {
                "Licensen har passerat sitt slutdatum utan att ha förnyats. Förnya licensen genom att bekräfta dina uppgifter. Du kan sedan logga in direkt och har tre veckor på dig att betala."
            }
            NoActiveLicence::GroupForbidsWebLogin => {
                "Organisationen som din grupplicens tillhör har valt att all förskrivning ska ske via journalsystemet och har spärrat inloggning via webben."
            }
            NoActiveLicence::LeftGroup => {
                "Du har varit ansluten via en grupplicens men ingår inte längre i det gruppavtalet. Teckna en egen licens för att fortsätta. Det kräver BankID."
            }
        }
    }
}

/// Whether a prescriber's licensing allows logging in on `today`.
pub fn may_log_in(licensing: &Licensing, today: Date) -> Result<(), NoActiveLicence> {
    match licensing {
        Licensing::Own(licence) => match licence.status(today) {
            LicenceStatus::Active | LicenceStatus::AwaitingPayment { .. } => Ok(()),
            LicenceStatus::Unpaid => Err(NoActiveLicence::Unpaid),
            LicenceStatus::Expired => Err(NoActiveLicence::Expired),
        },
        Licensing::Group {
            web_login_allowed: true,
        } => Ok(()),
        Licensing::Group {
            web_login_allowed: false,
        } => Err(NoActiveLicence::GroupForbidsWebLogin),
        Licensing::LeftGroup => Err(NoActiveLicence::LeftGroup),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_licence_year_starts_today_and_is_due_in_three_weeks() {
        let l = Licence::starting(date(2026, 12, 3));
        assert_eq!(l.ends_on, date(2027, 12, 2));
        assert_eq!(l.payment_due_on, date(2026, 12, 24));
        // A leap day start ends the day before the anniversary.
        assert_eq!(
            Licence::starting(date(2028, 2, 29)).ends_on,
            date(2029, 2, 27)
        );
    }

    #[test]
    fn unpaid_after_21_days_then_active_when_paid() {
        let mut l = Licence::starting(date(2026, 12, 3));
        assert_eq!(
            l.status(date(2026, 12, 3)),
            LicenceStatus::AwaitingPayment {
                due_on: date(2026, 12, 24)
            }
        );
        assert_eq!(
            l.status(date(2026, 12, 24)),
            LicenceStatus::AwaitingPayment {
                due_on: date(2026, 12, 24)
            }
        );
        assert_eq!(l.status(date(2026, 12, 25)), LicenceStatus::Unpaid);
        assert_eq!(
            may_log_in(&Licensing::Own(l), date(2026, 12, 25)),
            Err(NoActiveLicence::Unpaid)
        );
        l.paid_on = Some(date(2027, 1, 10));
        assert_eq!(l.status(date(2027, 1, 10)), LicenceStatus::Active);
        assert_eq!(may_log_in(&Licensing::Own(l), date(2027, 1, 10)), Ok(()));
    }

    #[test]
    fn expired_after_its_last_day_even_if_paid() {
        let mut l = Licence::starting(date(2026, 12, 3));
        l.paid_on = Some(date(2026, 12, 5));
        assert_eq!(l.status(date(2027, 12, 2)), LicenceStatus::Active);
        assert_eq!(l.status(date(2027, 12, 3)), LicenceStatus::Expired);
        assert_eq!(
            may_log_in(&Licensing::Own(l), date(2027, 12, 3)),
            Err(NoActiveLicence::Expired)
        );
    }

    #[test]
    fn group_licences() {
        let today = date(2026, 12, 3);
        assert_eq!(
            may_log_in(
                &Licensing::Group {
                    web_login_allowed: true
                },
                today
            ),
            Ok(())
        );
        assert_eq!(
            may_log_in(
                &Licensing::Group {
                    web_login_allowed: false
                },
                today
            ),
            Err(NoActiveLicence::GroupForbidsWebLogin)
        );
        assert_eq!(
            may_log_in(&Licensing::LeftGroup, today),
            Err(NoActiveLicence::LeftGroup)
        );
    }

    #[test]
    fn reasons_are_the_manuals() {
        assert_eq!(NoActiveLicence::HEADING, "Det finns ingen aktiv licens");
        assert_eq!(NoActiveLicence::Unpaid.reason(), "Licensen är inte betald");
        assert_eq!(NoActiveLicence::Expired.reason(), "Årslicensen har gått ut");
        assert!(
            NoActiveLicence::Unpaid
                .explanation()
                .contains("Har du betalat, ber vi dig kontakta support")
        );
        assert!(
            NoActiveLicence::Expired
                .explanation()
                .contains("tre veckor")
        );
        assert!(
            NoActiveLicence::GroupForbidsWebLogin
                .explanation()
                .contains("journalsystemet")
        );
        assert!(NoActiveLicence::LeftGroup.explanation().contains("BankID"));
    }
}
