//! A small element tree over quick-xml's namespace-aware reader, and escaping for the writers.
//!
//! SPAR's answers are a few kilobytes, so reading the whole document into a tree and then
//! picking the known elements out of it is simple and tolerant: unknown elements are simply
//! never looked at.

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// Deeper documents are refused (SPAR's are about eight levels deep).
pub const MAX_DEPTH: usize = 64;

/// One element: namespace, local name, its text (trimmed, concatenated) and its child elements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The namespace URI the prefix was bound to, if any.
    pub namespace: Option<String>,
    /// The local name (without prefix).
    pub name: String,
    /// The element's own text content, trimmed.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child with this local name (in any namespace).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name (in any namespace).
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child with this local name; `None` when absent or empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.text.clone())
            .filter(|t| !t.is_empty())
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("XML not well-formed: {0}")]
    Syntax(String),
    #[error("XML nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("XML has no root element")]
    Empty,
}

/// Reads a whole document into its root element.
pub fn parse(xml: &[u8]) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(xml);
    let mut buf = Vec::new();
    // The open elements, innermost last.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (ns, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| XmlError::Syntax(e.to_string()))?;
        let namespace = match ns {
            ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.as_ref()).into_owned()),
            _ => None,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(XmlError::Syntax("content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let element = Element {
                    namespace,
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Element::default()
                };
                if matches!(event, Event::Empty(_)) {
                    close(&mut stack, &mut root, element);
                } else {
                    stack.push(element);
                }
            }
            Event::Text(t) => {
                if let Some(open) = stack.last_mut() {
                    let s = t
                        .xml_content()
                        .map_err(|e| XmlError::Syntax(e.to_string()))?;
                    open.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(open) = stack.last_mut() {
                    let s = t.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                    open.text.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                if let Some(open) = stack.last_mut() {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        open.text.push(c);
                    } else {
                        let name = r.decode().map_err(|e| XmlError::Syntax(e.to_string()))?;
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => open.text.push_str(s),
                            None => {
                                return Err(XmlError::Syntax(format!("unknown entity &{name};")));
                            }
                        }
                    }
                }
            }
            Event::End(_) => match stack.pop() {
                Some(element) => close(&mut stack, &mut root, element),
                None => return Err(XmlError::Syntax("unexpected end tag".into())),
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax("unclosed element".into()));
    }
    root.ok_or(XmlError::Empty)
}

fn close(stack: &mut [Element], root: &mut Option<Element>, mut element: Element) {
    element.text = element.text.trim().to_owned();
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

/// Escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// Writes `<tag>text</tag>` (escaped) when `text` is `Some`.
pub fn write_opt(out: &mut String, tag: &str, text: Option<&str>) {
    if let Some(text) = text {
        write_text(out, tag, text);
    }
}

/// Writes `<tag>text</tag>` (escaped).
pub fn write_text(out: &mut String, tag: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(&escape(text));
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_text_and_entities() {
        let doc = br#"<?xml version="1.0"?>
            <a:Root xmlns:a="urn:a" xmlns="urn:d">
              <Child>  Sm&#229;land &amp; <![CDATA[<x>]]> </Child>
              <a:Empty/>
            </a:Root>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.namespace.as_deref(), Some("urn:a"));
        let child = root.child("Child").unwrap();
        assert_eq!(child.namespace.as_deref(), Some("urn:d"));
        assert_eq!(child.text, "Småland & <x>");
        assert!(root.child("Empty").is_some());
        assert_eq!(root.child_text("Empty"), None);
    }

    #[test]
    fn refuses_broken_and_deep_documents() {
        assert!(matches!(parse(b"<a><b></a>"), Err(XmlError::Syntax(_))));
        assert_eq!(parse(b""), Err(XmlError::Empty));
        assert!(matches!(parse(b"<a>"), Err(XmlError::Syntax(_))));
        let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        assert!(parse(b"<a>&bogus;</a>").is_err());
    }
}
