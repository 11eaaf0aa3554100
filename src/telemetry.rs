//! Structured logs with tracing; each request's span carries its request id (tracing-actix-web).
//! Every line passes through [`redact`] on its way out, so that an identity number or a phone
//! number that reaches a log message or field (an SMTP server quoting a rejected recipient, a
//! database error, a future log line written without thinking of it) is masked.

use std::io::Write;

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::{LogFormat, LogSettings};

/// Install the global subscriber (once; later calls are ignored). Logs go to standard error so
/// that commands keep standard output for their results.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = fmt().with_env_filter(filter).with_writer(RedactingStderr);
    let _ = match settings.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Mask what looks like an identity number or a phone number: every run of 11 or more ASCII
/// digits (a mobile number has 11, a resident identity number 17 and a check character, which
/// may be `X`) keeps its first three and last two characters. Dates, times, ids and request ids
/// have shorter runs and pass unchanged.
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    const MIN_RUN: usize = 11;
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 17 && i < bytes.len() && matches!(bytes[i], b'X' | b'x') {
            i += 1;
        }
        if i - start >= MIN_RUN {
            let masked = out.get_or_insert_with(|| String::with_capacity(text.len()));
            masked.push_str(&text[copied..start]);
            masked.push_str(&text[start..start + 3]);
            masked.extend(std::iter::repeat_n('*', i - start - 5));
            masked.push_str(&text[i - 2..i]);
            copied = i;
        }
    }
    match out {
        Some(mut masked) => {
            masked.push_str(&text[copied..]);
            std::borrow::Cow::Owned(masked)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

/// Standard error, one redacted line per event: the formatter writes an event into the writer
/// it makes for it, which passes it on, masked, when dropped.
struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = LineWriter;
    fn make_writer(&'a self) -> LineWriter {
        LineWriter(Vec::with_capacity(256))
    }
}

struct LineWriter(Vec<u8>);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.0);
        let _ = std::io::stderr().lock().write_all(redact(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn identity_numbers_and_phone_numbers_are_masked_in_logs() {
        assert_eq!(redact("q=11010519491231002X&x=1"), "q=110*************2X&x=1");
        assert_eq!(redact("to 13800000000."), "to 138******00.");
        assert_eq!(redact("id 110105194912310021"), "id 110*************21");
        // Short runs (dates, times, ids) are kept.
        let plain = "2026-12-02T10:00:05.123456Z case 1234567890 ok";
        assert_eq!(redact(plain), plain);
        assert!(matches!(redact(plain), std::borrow::Cow::Borrowed(_)));
        assert_eq!(redact("张三 13912345678 李四"), "张三 139******78 李四");
    }
}
