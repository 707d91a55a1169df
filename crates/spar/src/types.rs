//! The wire format: SOAP 1.1 envelopes of PersonSök 2021.1, written and read.
//!
//! Reading is tolerant: elements are found by local name wherever the schema puts them, in any
//! namespace and with any prefix, and every element this module does not know is ignored. A
//! future schema version that keeps the element names therefore still reads. Writing uses the
//! 2021.1 namespaces with the prefixes SPAR's own examples use.

use std::fmt::Write as _;

use crate::xml::{self, Element, XmlError, write_opt, write_text};

/// SOAP 1.1's envelope namespace.
pub const NS_SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// The `SOAPAction` of the operation `PersonSok`.
pub const SOAP_ACTION: &str =
    "http://skatteverket.se/spar/personsok/2021.1/PersonsokService/Personsok";

/// The request's wrapper element `SPARPersonsokningFraga`.
pub const NS_FRAGA: &str =
    "http://statenspersonadressregister.se/schema/personsok/2021.1/personsokningfraga";
/// The answer's wrapper element `SPARPersonsokningSvar`, `PersonsokningSvarspost`, `UUID`.
pub const NS_SVAR: &str =
    "http://statenspersonadressregister.se/schema/personsok/2021.1/personsokningsvar";
/// `Identifieringsinformation` and its children.
pub const NS_IDINFO: &str = "http://statenspersonadressregister.se/schema/komponent/metadata/identifieringsinformationWs-1.1";
/// `PersonsokningFraga`.
pub const NS_SOKPARAMETRAR: &str =
    "http://statenspersonadressregister.se/schema/komponent/sok/personsokningsokparametrar-1.1";
/// `IdNummer`, `PersonId`, `Typ`, `SenasteAndringSPAR`.
pub const NS_PERSON: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/person-1.2";
/// `DatumFrom`, `DatumTill`.
pub const NS_DATUMTID: &str =
    "http://statenspersonadressregister.se/schema/komponent/generellt/datumtid-1.1";
/// `SvenskAdress` and its children.
pub const NS_DELADE_ADRESSELEMENT: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/adress/deladeadresselement-1.1";
/// `Sekretessmarkering`, `SkyddadFolkbokforing`.
pub const NS_SKYDDADE: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/skyddadepersonuppgifter-1.1";
/// `Fornamn`, `Tilltalsnamn`, `Mellannamn`, `Efternamn`.
pub const NS_DELADE_NAMNELEMENT: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/namn/deladenamnelement-1.0";
/// `Namn`.
pub const NS_NAMN: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/namn/namn-1.0";
/// `AvregistreringsorsakKod`, `Avregistreringsdatum`, `Avlidendatum`.
pub const NS_AVREGISTRERING: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/avregistrering-1.0";
/// `Persondetaljer`, `Fodelsedatum`, `Kon`.
pub const NS_PERSONDETALJER: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/persondetaljer-1.2";
/// `Folkbokforingsadress`.
pub const NS_FOLKBOKFORINGSADRESS: &str =
    "http://statenspersonadressregister.se/schema/komponent/person/adress/folkbokforingsadress-1.1";
/// `Undantag`, `Kod`, `Beskrivning`.
pub const NS_UNDANTAG: &str =
    "http://statenspersonadressregister.se/schema/komponent/sok/undantag-1.0";

/// `JA` of SPAR's yes/no type.
pub const JA: &str = "JA";
/// `NEJ` of SPAR's yes/no type.
pub const NEJ: &str = "NEJ";
/// `PersonId/Typ` of a personnummer.
pub const TYP_PERSONNUMMER: &str = "PERSONNUMMER";
/// `PersonId/Typ` of a samordningsnummer.
pub const TYP_SAMORDNINGSNUMMER: &str = "SAMORDNINGSNUMMER";
/// `Kon` of a man.
pub const KON_MAN: &str = "MAN";
/// `Kon` of a woman.
pub const KON_KVINNA: &str = "KVINNA";
/// `AvregistreringsorsakKod` of a deceased person (avliden).
pub const AVREGISTRERING_AVLIDEN: &str = "AV";

/// Why a document is not the expected envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error(transparent)]
    Xml(#[from] XmlError),
    #[error("not a SOAP envelope: {0}")]
    NotEnvelope(String),
    #[error("missing element {0}")]
    Missing(&'static str),
}

// ---- the request ----

/// `Identifieringsinformation`: who asks. The customer numbers and the assignment id come from
/// the agreement with SPAR; `SlutAnvandarId` names the person on whose behalf we ask (SPAR logs
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identifieringsinformation {
    pub kund_nr_leverans_mottagare: String,
    pub kund_nr_slutkund: String,
    pub uppdrag_id: String,
    pub slut_anvandar_id: String,
}

/// `SPARPersonsokningFraga` with a search by `IdNummer` (the only search this crate makes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonsokningFraga {
    pub identifieringsinformation: Identifieringsinformation,
    /// 12 digits.
    pub id_nummer: String,
}

impl PersonsokningFraga {
    /// The whole SOAP envelope.
    pub fn to_xml(&self) -> String {
        let id = &self.identifieringsinformation;
        let mut out = String::with_capacity(1024);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <soapenv:Envelope xmlns:soapenv=\"{NS_SOAP}\" xmlns:per=\"{NS_FRAGA}\" \
             xmlns:iden=\"{NS_IDINFO}\" xmlns:sok=\"{NS_SOKPARAMETRAR}\" \
             xmlns:person=\"{NS_PERSON}\">\
             <soapenv:Header/><soapenv:Body><per:SPARPersonsokningFraga>\
             <iden:Identifieringsinformation>"
        );
        write_text(
            &mut out,
            "iden:KundNrLeveransMottagare",
            &id.kund_nr_leverans_mottagare,
        );
        write_text(&mut out, "iden:KundNrSlutkund", &id.kund_nr_slutkund);
        write_text(&mut out, "iden:UppdragId", &id.uppdrag_id);
        write_text(&mut out, "iden:SlutAnvandarId", &id.slut_anvandar_id);
        out.push_str("</iden:Identifieringsinformation><sok:PersonsokningFraga>");
        write_text(&mut out, "person:IdNummer", &self.id_nummer);
        out.push_str(
            "</sok:PersonsokningFraga></per:SPARPersonsokningFraga></soapenv:Body></soapenv:Envelope>",
        );
        out
    }

    /// Reads a request envelope (the simulator's side). Missing fields read as empty strings;
    /// only a missing `SPARPersonsokningFraga` is an error.
    pub fn parse(bytes: &[u8]) -> Result<Self, WireError> {
        let body = body(bytes)?;
        let fraga = body
            .child("SPARPersonsokningFraga")
            .ok_or(WireError::Missing("SPARPersonsokningFraga"))?;
        let text = |e: Option<&Element>, name: &str| {
            e.and_then(|e| e.child_text(name)).unwrap_or_default()
        };
        let id = fraga.child("Identifieringsinformation");
        Ok(Self {
            identifieringsinformation: Identifieringsinformation {
                kund_nr_leverans_mottagare: text(id, "KundNrLeveransMottagare"),
                kund_nr_slutkund: text(id, "KundNrSlutkund"),
                uppdrag_id: text(id, "UppdragId"),
                slut_anvandar_id: text(id, "SlutAnvandarId"),
            },
            id_nummer: text(fraga.child("PersonsokningFraga"), "IdNummer"),
        })
    }
}

// ---- the answer ----

/// `DatumFrom` / `DatumTill` (ISO dates as written; SPAR writes `9999-12-31` for "still
/// valid").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Period {
    pub datum_from: Option<String>,
    pub datum_till: Option<String>,
}

impl Period {
    fn read(e: &Element) -> Self {
        Self {
            datum_from: e.child_text("DatumFrom"),
            datum_till: e.child_text("DatumTill"),
        }
    }

    fn write(&self, out: &mut String) {
        write_opt(out, "dt:DatumFrom", self.datum_from.as_deref());
        write_opt(out, "dt:DatumTill", self.datum_till.as_deref());
    }
}

/// `PersonId`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonId {
    pub id_nummer: String,
    /// `PERSONNUMMER` or `SAMORDNINGSNUMMER`.
    pub typ: Option<String>,
}

/// `Namn`. `Tilltalsnamn` is SPAR's two-digit code of which given names are the calling name
/// (see [`crate::resolve_calling_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Namn {
    pub period: Period,
    pub fornamn: Option<String>,
    pub tilltalsnamn: Option<String>,
    pub mellannamn: Option<String>,
    pub efternamn: Option<String>,
}

/// `Persondetaljer`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Persondetaljer {
    pub period: Period,
    pub sekretessmarkering: Option<String>,
    pub skyddad_folkbokforing: Option<String>,
    /// `AV` for a deceased person; other codes for other deregistrations (emigration …).
    pub avregistreringsorsak_kod: Option<String>,
    pub avregistreringsdatum: Option<String>,
    pub avlidendatum: Option<String>,
    pub fodelsedatum: Option<String>,
    /// `MAN` or `KVINNA`.
    pub kon: Option<String>,
}

/// `SvenskAdress` (inside `Folkbokforingsadress`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SvenskAdress {
    pub period: Period,
    pub care_of: Option<String>,
    pub utdelningsadress1: Option<String>,
    pub utdelningsadress2: Option<String>,
    /// Five digits, no space.
    pub post_nr: Option<String>,
    pub postort: Option<String>,
}

/// `PersonsokningSvarspost`: one person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Svarspost {
    pub person_id: PersonId,
    pub sekretessmarkering: Option<String>,
    pub skyddad_folkbokforing: Option<String>,
    /// Every name period SPAR sent (usually one, the current).
    pub namn: Vec<Namn>,
    pub persondetaljer: Vec<Persondetaljer>,
    /// The `SvenskAdress` of each `Folkbokforingsadress`.
    pub folkbokforingsadress: Vec<SvenskAdress>,
}

/// `Undantag`: SPAR could not answer the question.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Undantag {
    pub kod: String,
    pub beskrivning: String,
}

/// `SPARPersonsokningSvar`. No `PersonsokningSvarspost` and no `Undantag`: nobody found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonsokningSvar {
    /// The `IdNummer` of the echoed question.
    pub fraga_id_nummer: Option<String>,
    pub svarsposter: Vec<Svarspost>,
    pub undantag: Vec<Undantag>,
    pub uuid: Option<String>,
}

/// A SOAP 1.1 fault.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SoapFault {
    /// As written, e.g. `soap:Server` or `soap:Client`.
    pub faultcode: String,
    pub faultstring: String,
}

impl SoapFault {
    /// True when the fault code's local part starts with `Server` (the service's own problem,
    /// worth retrying); false for `Client` and anything else.
    pub fn is_server(&self) -> bool {
        let local = self
            .faultcode
            .rsplit_once(':')
            .map_or(self.faultcode.as_str(), |(_, l)| l);
        local.starts_with("Server")
    }

    /// The whole SOAP envelope.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(512);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <S:Envelope xmlns:S=\"{NS_SOAP}\"><S:Body><S:Fault>"
        );
        // Unqualified children, as SOAP 1.1 prescribes.
        write_text(&mut out, "faultcode", &self.faultcode);
        write_text(&mut out, "faultstring", &self.faultstring);
        out.push_str("</S:Fault></S:Body></S:Envelope>");
        out
    }
}

/// What a response envelope's body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseBody {
    Svar(PersonsokningSvar),
    Fault(SoapFault),
}

/// Reads a response envelope: an answer or a fault.
pub fn parse_response(bytes: &[u8]) -> Result<ResponseBody, WireError> {
    let body = body(bytes)?;
    if let Some(fault) = body.child("Fault") {
        return Ok(ResponseBody::Fault(SoapFault {
            faultcode: fault.child_text("faultcode").unwrap_or_default(),
            faultstring: fault.child_text("faultstring").unwrap_or_default(),
        }));
    }
    let svar = body
        .child("SPARPersonsokningSvar")
        .ok_or(WireError::Missing("SPARPersonsokningSvar"))?;
    Ok(ResponseBody::Svar(PersonsokningSvar {
        fraga_id_nummer: svar
            .child("PersonsokningFraga")
            .and_then(|f| f.child_text("IdNummer")),
        svarsposter: svar
            .children_named("PersonsokningSvarspost")
            .map(read_svarspost)
            .collect(),
        undantag: svar
            .children_named("Undantag")
            .map(|u| Undantag {
                kod: u.child_text("Kod").unwrap_or_default(),
                beskrivning: u.child_text("Beskrivning").unwrap_or_default(),
            })
            .collect(),
        uuid: svar.child_text("UUID"),
    }))
}

fn body(bytes: &[u8]) -> Result<Element, WireError> {
    let root = xml::parse(bytes)?;
    if root.name != "Envelope" {
        return Err(WireError::NotEnvelope(format!(
            "root element is {}",
            root.name
        )));
    }
    root.children
        .into_iter()
        .find(|c| c.name == "Body")
        .ok_or(WireError::Missing("Body"))
}

fn read_svarspost(post: &Element) -> Svarspost {
    let person_id = post.child("PersonId");
    Svarspost {
        person_id: PersonId {
            id_nummer: person_id
                .and_then(|p| p.child_text("IdNummer"))
                .unwrap_or_default(),
            typ: person_id.and_then(|p| p.child_text("Typ")),
        },
        sekretessmarkering: post.child_text("Sekretessmarkering"),
        skyddad_folkbokforing: post.child_text("SkyddadFolkbokforing"),
        namn: post
            .children_named("Namn")
            .map(|n| Namn {
                period: Period::read(n),
                fornamn: n.child_text("Fornamn"),
                tilltalsnamn: n.child_text("Tilltalsnamn"),
                mellannamn: n.child_text("Mellannamn"),
                efternamn: n.child_text("Efternamn"),
            })
            .collect(),
        persondetaljer: post
            .children_named("Persondetaljer")
            .map(|d| Persondetaljer {
                period: Period::read(d),
                sekretessmarkering: d.child_text("Sekretessmarkering"),
                skyddad_folkbokforing: d.child_text("SkyddadFolkbokforing"),
                avregistreringsorsak_kod: d.child_text("AvregistreringsorsakKod"),
                avregistreringsdatum: d.child_text("Avregistreringsdatum"),
                avlidendatum: d.child_text("Avlidendatum"),
                fodelsedatum: d.child_text("Fodelsedatum"),
                kon: d.child_text("Kon"),
            })
            .collect(),
        folkbokforingsadress: post
            .children_named("Folkbokforingsadress")
            .filter_map(|f| f.child("SvenskAdress"))
            .map(|a| SvenskAdress {
                period: Period::read(a),
                care_of: a.child_text("CareOf"),
                utdelningsadress1: a.child_text("Utdelningsadress1"),
                utdelningsadress2: a.child_text("Utdelningsadress2"),
                post_nr: a.child_text("PostNr"),
                postort: a.child_text("Postort"),
            })
            .collect(),
    }
}

impl PersonsokningSvar {
    /// The whole SOAP envelope (the simulator's side), in the schema's element order.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(4096);
        let _ = write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <S:Envelope xmlns:S=\"{NS_SOAP}\"><S:Body>\
             <svar:SPARPersonsokningSvar xmlns:svar=\"{NS_SVAR}\" xmlns:sok=\"{NS_SOKPARAMETRAR}\" \
             xmlns:person=\"{NS_PERSON}\" xmlns:dt=\"{NS_DATUMTID}\" \
             xmlns:adr=\"{NS_DELADE_ADRESSELEMENT}\" xmlns:skydd=\"{NS_SKYDDADE}\" \
             xmlns:nel=\"{NS_DELADE_NAMNELEMENT}\" xmlns:namn=\"{NS_NAMN}\" \
             xmlns:avreg=\"{NS_AVREGISTRERING}\" xmlns:pd=\"{NS_PERSONDETALJER}\" \
             xmlns:fba=\"{NS_FOLKBOKFORINGSADRESS}\" xmlns:und=\"{NS_UNDANTAG}\">"
        );
        if let Some(id) = &self.fraga_id_nummer {
            out.push_str("<sok:PersonsokningFraga>");
            write_text(&mut out, "person:IdNummer", id);
            out.push_str("</sok:PersonsokningFraga>");
        }
        for u in &self.undantag {
            out.push_str("<und:Undantag>");
            write_text(&mut out, "und:Kod", &u.kod);
            write_text(&mut out, "und:Beskrivning", &u.beskrivning);
            out.push_str("</und:Undantag>");
        }
        for post in &self.svarsposter {
            write_svarspost(&mut out, post);
        }
        write_opt(&mut out, "svar:UUID", self.uuid.as_deref());
        out.push_str("</svar:SPARPersonsokningSvar></S:Body></S:Envelope>");
        out
    }
}

fn write_svarspost(out: &mut String, post: &Svarspost) {
    out.push_str("<svar:PersonsokningSvarspost><person:PersonId>");
    write_text(out, "person:IdNummer", &post.person_id.id_nummer);
    write_opt(out, "person:Typ", post.person_id.typ.as_deref());
    out.push_str("</person:PersonId>");
    write_opt(
        out,
        "skydd:Sekretessmarkering",
        post.sekretessmarkering.as_deref(),
    );
    write_opt(
        out,
        "skydd:SkyddadFolkbokforing",
        post.skyddad_folkbokforing.as_deref(),
    );
    for n in &post.namn {
        out.push_str("<namn:Namn>");
        n.period.write(out);
        write_opt(out, "nel:Fornamn", n.fornamn.as_deref());
        write_opt(out, "nel:Tilltalsnamn", n.tilltalsnamn.as_deref());
        write_opt(out, "nel:Mellannamn", n.mellannamn.as_deref());
        write_opt(out, "nel:Efternamn", n.efternamn.as_deref());
        out.push_str("</namn:Namn>");
    }
    for d in &post.persondetaljer {
        out.push_str("<pd:Persondetaljer>");
        d.period.write(out);
        write_opt(
            out,
            "skydd:Sekretessmarkering",
            d.sekretessmarkering.as_deref(),
        );
        write_opt(
            out,
            "skydd:SkyddadFolkbokforing",
            d.skyddad_folkbokforing.as_deref(),
        );
        write_opt(
            out,
            "avreg:AvregistreringsorsakKod",
            d.avregistreringsorsak_kod.as_deref(),
        );
        write_opt(
            out,
            "avreg:Avregistreringsdatum",
            d.avregistreringsdatum.as_deref(),
        );
        write_opt(out, "avreg:Avlidendatum", d.avlidendatum.as_deref());
        write_opt(out, "pd:Fodelsedatum", d.fodelsedatum.as_deref());
        write_opt(out, "pd:Kon", d.kon.as_deref());
        out.push_str("</pd:Persondetaljer>");
    }
    for a in &post.folkbokforingsadress {
        out.push_str("<fba:Folkbokforingsadress><adr:SvenskAdress>");
        a.period.write(out);
        write_opt(out, "adr:CareOf", a.care_of.as_deref());
        write_opt(out, "adr:Utdelningsadress1", a.utdelningsadress1.as_deref());
        write_opt(out, "adr:Utdelningsadress2", a.utdelningsadress2.as_deref());
        write_opt(out, "adr:PostNr", a.post_nr.as_deref());
        write_opt(out, "adr:Postort", a.postort.as_deref());
        out.push_str("</adr:SvenskAdress></fba:Folkbokforingsadress>");
    }
    out.push_str("</svar:PersonsokningSvarspost>");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of a real answer (as published in SPAR's examples; the data here is invented),
    /// with other prefixes, extra elements and two name periods.
    const REAL_SHAPE: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/">
  <S:Body>
    <ns25:SPARPersonsokningSvar xmlns="http://statenspersonadressregister.se/schema/komponent/metadata/identifieringsinformationWs-1.1" xmlns:ns2="http://statenspersonadressregister.se/schema/komponent/generellt/datumtid-1.1" xmlns:ns3="http://statenspersonadressregister.se/schema/komponent/person/adress/deladeadresselement-1.1" xmlns:ns4="http://statenspersonadressregister.se/schema/komponent/person/person-1.2" xmlns:ns5="http://statenspersonadressregister.se/schema/komponent/person/skyddadepersonuppgifter-1.1" xmlns:ns7="http://statenspersonadressregister.se/schema/komponent/person/namn/deladenamnelement-1.0" xmlns:ns8="http://statenspersonadressregister.se/schema/komponent/person/namn/namn-1.0" xmlns:ns10="http://statenspersonadressregister.se/schema/komponent/person/persondetaljer-1.2" xmlns:ns13="http://statenspersonadressregister.se/schema/komponent/person/folkbokforing-1.0" xmlns:ns14="http://statenspersonadressregister.se/schema/komponent/person/adress/folkbokforingsadress-1.1" xmlns:ns23="http://statenspersonadressregister.se/schema/komponent/sok/personsokningsokparametrar-1.1" xmlns:ns25="http://statenspersonadressregister.se/schema/personsok/2021.1/personsokningsvar">
      <ns23:PersonsokningFraga><ns4:IdNummer>189001019802</ns4:IdNummer></ns23:PersonsokningFraga>
      <ns25:PersonsokningSvarspost>
        <ns4:PersonId><ns4:IdNummer>189001019802</ns4:IdNummer><ns4:Typ>PERSONNUMMER</ns4:Typ></ns4:PersonId>
        <ns5:Sekretessmarkering>NEJ</ns5:Sekretessmarkering>
        <ns5:SkyddadFolkbokforing>NEJ</ns5:SkyddadFolkbokforing>
        <ns4:SenasteAndringSPAR>2019-12-02</ns4:SenasteAndringSPAR>
        <ns8:Namn>
          <ns2:DatumFrom>2019-12-02</ns2:DatumFrom><ns2:DatumTill>9999-12-31</ns2:DatumTill>
          <ns7:Aviseringsnamn>Testsson, Anna</ns7:Aviseringsnamn>
          <ns7:Fornamn>Anna Maria</ns7:Fornamn><ns7:Tilltalsnamn>20</ns7:Tilltalsnamn>
          <ns7:Efternamn>Testsson</ns7:Efternamn>
        </ns8:Namn>
        <ns10:Persondetaljer>
          <ns2:DatumFrom>2019-12-02</ns2:DatumFrom><ns2:DatumTill>9999-12-31</ns2:DatumTill>
          <ns10:Fodelsedatum>1890-01-01</ns10:Fodelsedatum><ns10:Kon>KVINNA</ns10:Kon>
        </ns10:Persondetaljer>
        <ns13:Folkbokforing><ns13:FolkbokfordLanKod>01</ns13:FolkbokfordLanKod></ns13:Folkbokforing>
        <ns14:Folkbokforingsadress>
          <ns3:SvenskAdress>
            <ns2:DatumFrom>2019-12-02</ns2:DatumFrom><ns2:DatumTill>9999-12-31</ns2:DatumTill>
            <ns3:Utdelningsadress2>Gatan 8</ns3:Utdelningsadress2>
            <ns3:PostNr>11146</ns3:PostNr><ns3:Postort>STOCKHOLM</ns3:Postort>
          </ns3:SvenskAdress>
        </ns14:Folkbokforingsadress>
      </ns25:PersonsokningSvarspost>
      <ns25:UUID>ddaef9b4-fde3-402f-9391-2cbc07a84895</ns25:UUID>
    </ns25:SPARPersonsokningSvar>
  </S:Body>
</S:Envelope>"#;

    #[test]
    fn reads_the_real_shape_ignoring_unknown_elements() {
        let ResponseBody::Svar(svar) = parse_response(REAL_SHAPE.as_bytes()).unwrap() else {
            panic!("expected an answer");
        };
        assert_eq!(svar.fraga_id_nummer.as_deref(), Some("189001019802"));
        assert_eq!(svar.svarsposter.len(), 1);
        let post = &svar.svarsposter[0];
        assert_eq!(post.person_id.id_nummer, "189001019802");
        assert_eq!(post.person_id.typ.as_deref(), Some(TYP_PERSONNUMMER));
        assert_eq!(post.sekretessmarkering.as_deref(), Some(NEJ));
        assert_eq!(post.namn[0].fornamn.as_deref(), Some("Anna Maria"));
        assert_eq!(post.namn[0].tilltalsnamn.as_deref(), Some("20"));
        assert_eq!(post.persondetaljer[0].kon.as_deref(), Some(KON_KVINNA));
        let adress = &post.folkbokforingsadress[0];
        assert_eq!(adress.utdelningsadress2.as_deref(), Some("Gatan 8"));
        assert_eq!(adress.post_nr.as_deref(), Some("11146"));
        assert_eq!(adress.period.datum_till.as_deref(), Some("9999-12-31"));
        assert_eq!(
            svar.uuid.as_deref(),
            Some("ddaef9b4-fde3-402f-9391-2cbc07a84895")
        );
    }

    #[test]
    fn request_round_trips_and_escapes() {
        let fraga = PersonsokningFraga {
            identifieringsinformation: Identifieringsinformation {
                kund_nr_leverans_mottagare: "500243".into(),
                kund_nr_slutkund: "500244".into(),
                uppdrag_id: "637".into(),
                slut_anvandar_id: "läkare <1> & co".into(),
            },
            id_nummer: "189001019802".into(),
        };
        let xml = fraga.to_xml();
        assert!(xml.contains(NS_FRAGA) && xml.contains(NS_IDINFO));
        assert!(xml.contains("&lt;1&gt; &amp; co"));
        assert_eq!(PersonsokningFraga::parse(xml.as_bytes()).unwrap(), fraga);
    }

    #[test]
    fn answer_round_trips() {
        let svar = PersonsokningSvar {
            fraga_id_nummer: Some("189001019802".into()),
            svarsposter: vec![Svarspost {
                person_id: PersonId {
                    id_nummer: "189001019802".into(),
                    typ: Some(TYP_PERSONNUMMER.into()),
                },
                sekretessmarkering: Some(NEJ.into()),
                skyddad_folkbokforing: Some(NEJ.into()),
                namn: vec![Namn {
                    period: Period {
                        datum_from: Some("2020-01-01".into()),
                        datum_till: Some("9999-12-31".into()),
                    },
                    fornamn: Some("Åsa Lena".into()),
                    tilltalsnamn: Some("10".into()),
                    mellannamn: None,
                    efternamn: Some("Öberg".into()),
                }],
                persondetaljer: vec![Persondetaljer {
                    avregistreringsorsak_kod: Some(AVREGISTRERING_AVLIDEN.into()),
                    avlidendatum: Some("2024-02-03".into()),
                    fodelsedatum: Some("1890-01-01".into()),
                    kon: Some(KON_KVINNA.into()),
                    ..Persondetaljer::default()
                }],
                folkbokforingsadress: vec![SvenskAdress {
                    care_of: Some("Berg".into()),
                    utdelningsadress2: Some("Storgatan 1".into()),
                    post_nr: Some("75320".into()),
                    postort: Some("UPPSALA".into()),
                    ..SvenskAdress::default()
                }],
            }],
            undantag: vec![Undantag {
                kod: "X".into(),
                beskrivning: "y".into(),
            }],
            uuid: Some("u".into()),
        };
        assert_eq!(
            parse_response(svar.to_xml().as_bytes()).unwrap(),
            ResponseBody::Svar(svar)
        );
    }

    #[test]
    fn faults_and_non_envelopes() {
        let fault = SoapFault {
            faultcode: "S:Server".into(),
            faultstring: "nere".into(),
        };
        assert!(fault.is_server());
        assert_eq!(
            parse_response(fault.to_xml().as_bytes()).unwrap(),
            ResponseBody::Fault(fault)
        );
        assert!(
            !SoapFault {
                faultcode: "soap:Client".into(),
                faultstring: String::new()
            }
            .is_server()
        );
        assert!(matches!(
            parse_response(b"<html><body>502</body></html>"),
            Err(WireError::NotEnvelope(_))
        ));
        assert!(matches!(
            parse_response(b"<S:Envelope xmlns:S=\"x\"><S:Body/></S:Envelope>"),
            Err(WireError::Missing("SPARPersonsokningSvar"))
        ));
    }
}
