//! The language of human-readable text (`detail`, field messages) and the per-request context
//! that error rendering needs. zh-CN is the default; `Accept-Language: en…` selects English.

use std::borrow::Cow;

/// A language the API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header: the first supported tag by q-value.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else { return Lang::Zh };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Lang::Zh
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A message in both languages; rendered in the request's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// Chinese.
    pub zh: Cow<'static, str>,
    /// English.
    pub en: Cow<'static, str>,
}

impl Text {
    /// A message from two static strings.
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self { zh: Cow::Borrowed(zh), en: Cow::Borrowed(en) }
    }
    /// A message built at run time.
    pub fn owned(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self { zh: Cow::Owned(zh.into()), en: Cow::Owned(en.into()) }
    }
    /// The message in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// What error rendering needs to know about the request being answered.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    /// The request's language.
    pub lang: Lang,
    /// The request id echoed in `X-Request-Id`.
    pub request_id: String,
}

tokio::task_local! {
    /// Set by the request middleware around each request.
    pub static REQUEST: RequestContext;
}

/// The current request's language (zh outside a request).
pub fn current_lang() -> Lang {
    REQUEST.try_with(|r| r.lang).unwrap_or_default()
}

/// The current request's id, if inside a request.
pub fn current_request_id() -> Option<String> {
    REQUEST.try_with(|r| r.request_id.clone()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language() {
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.3, zh;q=0.7")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("de")), Lang::Zh);
    }
}
