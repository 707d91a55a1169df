//! Configuration from `ERECEPT_*` environment variables. Without any, the service runs in
//! development mode on 127.0.0.1:8080 with a SQLite file; production mode refuses to start
//! until every external system has a real address.

use std::collections::HashMap;
use std::net::SocketAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Development,
    Production,
}

/// Addresses of the external systems. In development mode the unset ones are served by the
/// built-in simulators.
#[derive(Debug, Clone, Default)]
pub struct ExternalSystems {
    pub bankid_url: Option<String>,
    /// PEM file of the CA that BankID's server certificate must chain to.
    pub bankid_ca_file: Option<String>,
    /// PEM file with the relying party's client certificate and private key.
    pub bankid_client_identity_file: Option<String>,
    /// SPAR: our customer number, the assignment, and the organisation certificate (PEM with
    /// key) and SPAR's CA.
    pub spar_customer: Option<String>,
    pub spar_assignment: Option<String>,
    pub spar_client_identity_file: Option<String>,
    pub spar_ca_file: Option<String>,
    /// NLL: the access token, our client certificate (PEM with key) and the service's CA.
    pub nll_token: Option<String>,
    pub nll_client_identity_file: Option<String>,
    pub nll_ca_file: Option<String>,
    pub population_register_url: Option<String>,
    pub prescriber_register_url: Option<String>,
    pub prescription_list_url: Option<String>,
    pub card_payments_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    pub listen: SocketAddr,
    pub public_url: String,
    pub database_url: String,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub service_name: String,
    pub support_phone: String,
    /// Shown only when the service has a fax.
    pub support_fax: Option<String>,
    /// When set, /metrics answers only `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    pub support_email: String,
    pub session_idle_minutes: i64,
    /// The annual licence and the Befolkningsregister add-on, VAT included.
    pub licence_price: erecept_domain::Money,
    pub addon_price: erecept_domain::Money,
    /// Journal systems that can connect to the service, offered at registration.
    pub journal_systems: Vec<String>,
    /// Development mode: how long the simulated prescriber register takes to confirm a code.
    pub sim_verify_delay: std::time::Duration,
    pub log_json: bool,
    /// Behind the service's own reverse proxy: client addresses come from `X-Forwarded-For`.
    pub behind_proxy: bool,
    pub external: ExternalSystems,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name}: {problem}")]
    Invalid { name: &'static str, problem: String },
    #[error("production mode needs real addresses and settings; missing or not allowed: {}", .0.join(", "))]
    ProductionIncomplete(Vec<String>),
}

impl Config {
    /// The defaults of development mode.
    pub fn development() -> Self {
        Self {
            mode: Mode::Development,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: "http://127.0.0.1:8080".to_owned(),
            database_url: "sqlite://erecept.db".to_owned(),
            smtp_url: None,
            mail_from: "eRecept <noreply@erecept.localhost>".to_owned(),
            service_name: "eRecept".to_owned(),
            support_phone: "08-000 00 00".to_owned(),
            support_fax: None,
            metrics_token: None,
            support_email: "support@erecept.localhost".to_owned(),
            session_idle_minutes: 60,
            licence_price: erecept_domain::Money::from_kronor(1250),
            addon_price: erecept_domain::Money::from_kronor(375),
            journal_systems: vec![
                "Demojournal Praktik".to_owned(),
                "Demojournal Tand".to_owned(),
            ],
            sim_verify_delay: std::time::Duration::from_secs(10),
            log_json: false,
            behind_proxy: false,
            external: ExternalSystems::default(),
        }
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(&std::env::vars().collect())
    }

    /// Reads the configuration from a set of variables (the environment, or a test's).
    pub fn from_vars(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            vars.get(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut c = Self::development();
        c.mode = match get("ERECEPT_MODE").as_deref() {
            None | Some("development") => Mode::Development,
            Some("production") => Mode::Production,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "ERECEPT_MODE",
                    problem: format!("{other:?} is neither \"development\" nor \"production\""),
                });
            }
        };
        if let Some(listen) = get("ERECEPT_LISTEN") {
            c.listen = listen.parse().map_err(|e| ConfigError::Invalid {
                name: "ERECEPT_LISTEN",
                problem: format!("{listen:?} is not host:port ({e})"),
            })?;
        }
        c.public_url = get("ERECEPT_PUBLIC_URL").unwrap_or_else(|| format!("http://{}", c.listen));
        if let Some(url) = get("ERECEPT_DATABASE_URL") {
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return Err(ConfigError::Invalid {
                    name: "ERECEPT_DATABASE_URL",
                    problem: "must begin with sqlite: or postgres://".to_owned(),
                });
            }
            c.database_url = url;
        }
        c.smtp_url = get("ERECEPT_SMTP_URL");
        if let Some(v) = get("ERECEPT_MAIL_FROM") {
            c.mail_from = v;
        }
        if let Some(v) = get("ERECEPT_SERVICE_NAME") {
            c.service_name = v;
        }
        if let Some(v) = get("ERECEPT_SUPPORT_PHONE") {
            c.support_phone = v;
        }
        c.support_fax = get("ERECEPT_SUPPORT_FAX");
        for (name, slot) in [
            ("ERECEPT_LICENCE_PRICE", &mut c.licence_price),
            ("ERECEPT_ADDON_PRICE", &mut c.addon_price),
        ] {
            if let Some(v) = get(name) {
                *slot = erecept_domain::Money::parse_swedish(&v)
                    .ok()
                    .filter(|m| !m.is_negative())
                    .ok_or(ConfigError::Invalid {
                        name,
                        problem: "must be an amount in kronor, e.g. 1 250,00".to_owned(),
                    })?;
            }
        }
        if let Some(v) = vars.get("ERECEPT_JOURNAL_SYSTEMS") {
            c.journal_systems = v
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        if let Some(v) = get("ERECEPT_SIM_VERIFY_DELAY") {
            let secs: f64 = v
                .trim_end_matches('s')
                .parse()
                .ok()
                .filter(|s: &f64| (0.0..=86_400.0).contains(s))
                .ok_or(ConfigError::Invalid {
                    name: "ERECEPT_SIM_VERIFY_DELAY",
                    problem: "must be seconds from 0 to 86400".to_owned(),
                })?;
            c.sim_verify_delay = std::time::Duration::from_secs_f64(secs);
        }
        c.metrics_token = get("ERECEPT_METRICS_TOKEN");
        if let Some(v) = get("ERECEPT_SUPPORT_EMAIL") {
            c.support_email = v;
        }
        if let Some(v) = get("ERECEPT_SESSION_IDLE_MINUTES") {
            c.session_idle_minutes = v.parse().ok().filter(|m| (5..=24 * 60).contains(m)).ok_or(
                ConfigError::Invalid {
                    name: "ERECEPT_SESSION_IDLE_MINUTES",
                    problem: "must be a whole number of minutes from 5 to 1440".to_owned(),
                },
            )?;
        }
        c.behind_proxy = match get("ERECEPT_BEHIND_PROXY").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "ERECEPT_BEHIND_PROXY",
                    problem: format!("{other:?} is neither \"true\" nor \"false\""),
                });
            }
        };
        c.log_json = match get("ERECEPT_LOG_FORMAT").as_deref() {
            Some("json") => true,
            Some("text") => false,
            _ => c.mode == Mode::Production,
        };
        c.external = ExternalSystems {
            bankid_url: get("ERECEPT_BANKID_URL"),
            bankid_ca_file: get("ERECEPT_BANKID_CA_FILE"),
            bankid_client_identity_file: get("ERECEPT_BANKID_CLIENT_IDENTITY_FILE"),
            spar_customer: get("ERECEPT_SPAR_CUSTOMER"),
            spar_assignment: get("ERECEPT_SPAR_ASSIGNMENT"),
            spar_client_identity_file: get("ERECEPT_SPAR_CLIENT_IDENTITY_FILE"),
            spar_ca_file: get("ERECEPT_SPAR_CA_FILE"),
            nll_token: get("ERECEPT_NLL_TOKEN"),
            nll_client_identity_file: get("ERECEPT_NLL_CLIENT_IDENTITY_FILE"),
            nll_ca_file: get("ERECEPT_NLL_CA_FILE"),
            population_register_url: get("ERECEPT_SPAR_URL"),
            prescriber_register_url: get("ERECEPT_PRESCRIBER_REGISTER_URL"),
            prescription_list_url: get("ERECEPT_NLL_URL"),
            card_payments_url: get("ERECEPT_CARD_PAYMENTS_URL"),
        };
        if c.mode == Mode::Production {
            c.check_production(|name| get(name).is_some())?;
        }
        Ok(c)
    }

    /// Production must never fall back to a development default: every external system needs
    /// its real address, mail a real SMTP server, the public address HTTPS.
    fn check_production(&self, is_set: impl Fn(&str) -> bool) -> Result<(), ConfigError> {
        let mut missing = Vec::new();
        for (name, value) in [
            ("ERECEPT_SMTP_URL", &self.smtp_url),
            ("ERECEPT_BANKID_URL", &self.external.bankid_url),
            ("ERECEPT_SPAR_URL", &self.external.population_register_url),
            (
                "ERECEPT_PRESCRIBER_REGISTER_URL",
                &self.external.prescriber_register_url,
            ),
            ("ERECEPT_NLL_URL", &self.external.prescription_list_url),
            (
                "ERECEPT_CARD_PAYMENTS_URL",
                &self.external.card_payments_url,
            ),
        ] {
            match value {
                None => missing.push(name.to_owned()),
                Some(url) if name != "ERECEPT_SMTP_URL" && !url.starts_with("https://") => {
                    missing.push(format!("{name} (must be https://)"));
                }
                Some(url) if is_loopback(url) => {
                    missing.push(format!("{name} (points at this machine)"))
                }
                Some(_) => {}
            }
        }
        for name in [
            "ERECEPT_DATABASE_URL",
            "ERECEPT_MAIL_FROM",
            "ERECEPT_SUPPORT_EMAIL",
            "ERECEPT_SUPPORT_PHONE",
            "ERECEPT_METRICS_TOKEN",
            "ERECEPT_BANKID_CA_FILE",
            "ERECEPT_BANKID_CLIENT_IDENTITY_FILE",
            "ERECEPT_SPAR_CUSTOMER",
            "ERECEPT_SPAR_ASSIGNMENT",
            "ERECEPT_SPAR_CLIENT_IDENTITY_FILE",
            "ERECEPT_SPAR_CA_FILE",
            "ERECEPT_NLL_TOKEN",
            "ERECEPT_NLL_CLIENT_IDENTITY_FILE",
            "ERECEPT_NLL_CA_FILE",
        ] {
            if !is_set(name) {
                missing.push(name.to_owned());
            }
        }
        if !is_set("ERECEPT_PUBLIC_URL") || !self.public_url.starts_with("https://") {
            missing.push("ERECEPT_PUBLIC_URL (must be https://)".to_owned());
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::ProductionIncomplete(missing))
        }
    }
}

fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host_port.split(':').next().unwrap_or(host_port),
    };
    host == "localhost" || host.starts_with("127.") || host == "::1" || host == "0.0.0.0"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn no_configuration_means_development_on_loopback() {
        let c = Config::from_vars(&HashMap::new()).unwrap();
        assert_eq!(c.mode, Mode::Development);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url, "sqlite://erecept.db");
        assert_eq!(c.smtp_url, None);
        assert!(!c.log_json);
    }

    #[test]
    fn production_without_real_addresses_is_refused() {
        let err = Config::from_vars(&vars(&[("ERECEPT_MODE", "production")])).unwrap_err();
        let ConfigError::ProductionIncomplete(missing) = err else {
            panic!("{err:?}")
        };
        for name in [
            "ERECEPT_SMTP_URL",
            "ERECEPT_BANKID_URL",
            "ERECEPT_SPAR_URL",
            "ERECEPT_PRESCRIBER_REGISTER_URL",
            "ERECEPT_NLL_URL",
            "ERECEPT_CARD_PAYMENTS_URL",
            "ERECEPT_DATABASE_URL",
            "ERECEPT_METRICS_TOKEN",
            "ERECEPT_SPAR_CUSTOMER",
            "ERECEPT_NLL_TOKEN",
            "ERECEPT_NLL_CA_FILE",
        ] {
            assert!(
                missing.iter().any(|m| m == name),
                "{name} not reported: {missing:?}"
            );
        }
    }

    #[test]
    fn production_refuses_simulators_on_this_machine() {
        let err = Config::from_vars(&vars(&[
            ("ERECEPT_MODE", "production"),
            ("ERECEPT_PUBLIC_URL", "https://erecept.example"),
            ("ERECEPT_DATABASE_URL", "postgres://db.example/erecept"),
            ("ERECEPT_SMTP_URL", "smtps://mail.example"),
            ("ERECEPT_MAIL_FROM", "eRecept <noreply@erecept.example>"),
            ("ERECEPT_SUPPORT_EMAIL", "support@erecept.example"),
            ("ERECEPT_SUPPORT_PHONE", "08-123 45 67"),
            ("ERECEPT_METRICS_TOKEN", "hemlig-mätartoken"),
            ("ERECEPT_BANKID_CA_FILE", "/etc/erecept/bankid-ca.pem"),
            (
                "ERECEPT_BANKID_CLIENT_IDENTITY_FILE",
                "/etc/erecept/bankid-rp.pem",
            ),
            ("ERECEPT_SPAR_CUSTOMER", "500243"),
            ("ERECEPT_SPAR_ASSIGNMENT", "637"),
            ("ERECEPT_SPAR_CLIENT_IDENTITY_FILE", "/etc/erecept/spar.pem"),
            ("ERECEPT_SPAR_CA_FILE", "/etc/erecept/spar-ca.pem"),
            ("ERECEPT_NLL_TOKEN", "token"),
            ("ERECEPT_NLL_CLIENT_IDENTITY_FILE", "/etc/erecept/nll.pem"),
            ("ERECEPT_NLL_CA_FILE", "/etc/erecept/nll-ca.pem"),
            ("ERECEPT_BANKID_URL", "https://127.0.0.1:8443/rp/v6.0/"),
            (
                "ERECEPT_SPAR_URL",
                "https://kt-ext-ws.statenspersonadressregister.se/",
            ),
            (
                "ERECEPT_PRESCRIBER_REGISTER_URL",
                "https://register.example/",
            ),
            ("ERECEPT_NLL_URL", "http://nll.example/fhir"),
            ("ERECEPT_CARD_PAYMENTS_URL", "https://payments.example/"),
        ]))
        .unwrap_err();
        assert_eq!(
            err,
            ConfigError::ProductionIncomplete(vec![
                "ERECEPT_BANKID_URL (points at this machine)".to_owned(),
                "ERECEPT_NLL_URL (must be https://)".to_owned(),
            ])
        );
    }

    #[test]
    fn complete_production_configuration_is_accepted() {
        let c = Config::from_vars(&vars(&[
            ("ERECEPT_MODE", "production"),
            ("ERECEPT_LISTEN", "0.0.0.0:8080"),
            ("ERECEPT_PUBLIC_URL", "https://erecept.example"),
            ("ERECEPT_DATABASE_URL", "postgres://db.example/erecept"),
            ("ERECEPT_SMTP_URL", "smtps://mail.example"),
            ("ERECEPT_MAIL_FROM", "eRecept <noreply@erecept.example>"),
            ("ERECEPT_SUPPORT_EMAIL", "support@erecept.example"),
            ("ERECEPT_SUPPORT_PHONE", "08-123 45 67"),
            ("ERECEPT_METRICS_TOKEN", "hemlig-mätartoken"),
            ("ERECEPT_BANKID_CA_FILE", "/etc/erecept/bankid-ca.pem"),
            (
                "ERECEPT_BANKID_CLIENT_IDENTITY_FILE",
                "/etc/erecept/bankid-rp.pem",
            ),
            ("ERECEPT_SPAR_CUSTOMER", "500243"),
            ("ERECEPT_SPAR_ASSIGNMENT", "637"),
            ("ERECEPT_SPAR_CLIENT_IDENTITY_FILE", "/etc/erecept/spar.pem"),
            ("ERECEPT_SPAR_CA_FILE", "/etc/erecept/spar-ca.pem"),
            ("ERECEPT_NLL_TOKEN", "token"),
            ("ERECEPT_NLL_CLIENT_IDENTITY_FILE", "/etc/erecept/nll.pem"),
            ("ERECEPT_NLL_CA_FILE", "/etc/erecept/nll-ca.pem"),
            ("ERECEPT_BANKID_URL", "https://appapi2.bankid.com/rp/v6.0/"),
            ("ERECEPT_SPAR_URL", "https://spar.example/"),
            (
                "ERECEPT_PRESCRIBER_REGISTER_URL",
                "https://register.example/",
            ),
            ("ERECEPT_NLL_URL", "https://nll.example/fhir"),
            ("ERECEPT_CARD_PAYMENTS_URL", "https://payments.example/"),
        ]))
        .unwrap();
        assert_eq!(c.mode, Mode::Production);
        assert!(c.log_json);
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        assert!(is_loopback("https://localhost:8443/rp"));
        assert!(is_loopback("https://127.0.0.2/"));
        assert!(is_loopback("https://[::1]:8443/"));
        assert!(is_loopback("smtp://user:pw@127.0.0.1:25"));
        assert!(!is_loopback("https://appapi2.bankid.com/rp/v6.0/"));
        assert!(!is_loopback("https://[2001:db8::1]/"));
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_vars(&vars(&[("ERECEPT_LISTEN", "localhost")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "ERECEPT_LISTEN",
                ..
            }
        ));
        let err = Config::from_vars(&vars(&[("ERECEPT_DATABASE_URL", "mysql://x")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "ERECEPT_DATABASE_URL",
                ..
            }
        ));
        let err = Config::from_vars(&vars(&[("ERECEPT_MODE", "prod")])).unwrap_err();
        assert!(matches!(
            err,
            ConfigError::Invalid {
                name: "ERECEPT_MODE",
                ..
            }
        ));
    }
}
