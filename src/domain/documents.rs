//! Case documents (案件材料): their kinds, the names they are kept under, and the type of a file
//! as its CONTENT shows it (never as its name claims). Pure: bytes in, a verdict out.
//!
//! What may be uploaded **[product rule]**: PDF and OFD (the national fixed-layout format),
//! scans and photos (PNG, JPEG, TIFF, GIF, WebP), Office documents (DOCX/XLSX/PPTX and the older
//! DOC/XLS/PPT), and plain text or CSV. Refused: executables and scripts, archives (a ZIP hides
//! what it holds from this check, so the files inside are to be uploaded one by one), and anything
//! not recognised. Text is accepted as UTF-8 (with or without a BOM) and as GB18030 — the encoding
//! Windows Notepad used for Chinese text until 2019 and many office systems still export: a file
//! that decodes without error and holds no control characters other than tab, line breaks and form
//! feed is text; binary content almost always contains NUL or other control bytes, so this does
//! not let arbitrary binaries through.

use std::io::Cursor;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use utoipa::ToSchema;

use super::error::Violation;
use super::types::{keyed_enum, labelled};

/// What a document is to the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The application as received (the paper form, the letter, the printout of the e-mail).
    Application,
    /// The applicant's identity document.
    IdentityProof,
    /// Letters exchanged with the applicant or a third party.
    Correspondence,
    /// The information released to the applicant.
    InformationProvided,
    /// A letter as it was sent (signed and sealed).
    LetterAsSent,
    Other,
}
keyed_enum!(DocumentKind { Application => "application", IdentityProof => "identity_proof",
    Correspondence => "correspondence", InformationProvided => "information_provided",
    LetterAsSent => "letter_as_sent", Other => "other" });
labelled!(DocumentKind { Application => "申请材料", IdentityProof => "身份证明", Correspondence => "往来函件",
    InformationProvided => "提供的信息", LetterAsSent => "已送达文书", Other => "其他" });

/// A document of a case as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: i64,
    pub case_id: super::ids::CaseId,
    pub kind: DocumentKind,
    pub filename: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub uploaded_by: super::ids::UserId,
    /// The uploader's name (for lists).
    pub uploaded_by_name: String,
    pub uploaded_at: chrono::NaiveDateTime,
    /// The seq of the case's `document_added` event.
    pub event_seq: i32,
    pub withdrawal: Option<Withdrawal>,
}

/// Why and when a document was withdrawn, and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: chrono::NaiveDateTime,
    pub by: Option<super::ids::UserId>,
    pub reason: String,
}

/// The longest name kept, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// A file's name as it is kept and shown (the Chinese name included): trimmed, at most
/// [`MAX_FILENAME_CHARS`] characters, no path separators, no control or bidirectional-override
/// characters (`发票\u{202e}fdp.exe` shows as `发票exe.pdf`), not `.` or `..`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Filename(String);

impl Filename {
    /// Check a name given with an upload.
    ///
    /// # Errors
    /// `invalid_filename` on the field `filename`.
    pub fn parse(raw: &str) -> Result<Self, Violation> {
        let refuse = |message: &str| Err(Violation::field("invalid_filename", "filename", message));
        let name = raw.trim();
        if name.is_empty() {
            return refuse("文件名不能为空");
        }
        if name.chars().count() > MAX_FILENAME_CHARS {
            return refuse(&format!("文件名不能超过{MAX_FILENAME_CHARS}个字符"));
        }
        if name.contains(['/', '\\']) {
            return refuse("文件名不能包含路径分隔符（/ 或 \\）");
        }
        if name.chars().any(is_forbidden_char) {
            return refuse("文件名不能包含控制字符或文字方向控制字符");
        }
        if name == "." || name == ".." {
            return refuse("文件名无效");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The extension, lower-cased, when the name has one (`扫描件.PDF` → `pdf`; `.bashrc` and
    /// `说明` have none).
    pub fn extension(&self) -> Option<String> {
        let (stem, ext) = self.0.rsplit_once('.')?;
        (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_lowercase())
    }
}

fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// A type of file that may be uploaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileType {
    Pdf,
    Ofd,
    Png,
    Jpeg,
    Tiff,
    Gif,
    Webp,
    Docx,
    Xlsx,
    Pptx,
    Doc,
    Xls,
    Ppt,
    /// Text; `csv` when the name says so.
    Text {
        encoding: TextEncoding,
        csv: bool,
    },
}

/// How a text file is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    Gb18030,
}

impl FileType {
    /// Every type, for listings and tests (text once per encoding, as plain text).
    pub const ALL: &'static [FileType] = &[
        Self::Pdf,
        Self::Ofd,
        Self::Png,
        Self::Jpeg,
        Self::Tiff,
        Self::Gif,
        Self::Webp,
        Self::Docx,
        Self::Xlsx,
        Self::Pptx,
        Self::Doc,
        Self::Xls,
        Self::Ppt,
        Self::Text { encoding: TextEncoding::Utf8, csv: false },
        Self::Text { encoding: TextEncoding::Gb18030, csv: false },
    ];

    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Ofd => "application/ofd",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Tiff => "image/tiff",
            Self::Gif => "image/gif",
            Self::Webp => "image/webp",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            Self::Doc => "application/msword",
            Self::Xls => "application/vnd.ms-excel",
            Self::Ppt => "application/vnd.ms-powerpoint",
            Self::Text { encoding: TextEncoding::Utf8, csv: false } => "text/plain; charset=utf-8",
            Self::Text { encoding: TextEncoding::Gb18030, csv: false } => "text/plain; charset=gb18030",
            Self::Text { encoding: TextEncoding::Utf8, csv: true } => "text/csv; charset=utf-8",
            Self::Text { encoding: TextEncoding::Gb18030, csv: true } => "text/csv; charset=gb18030",
        }
    }

    /// The extensions a name of this type may have (lower case).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Ofd => &["ofd"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg", "jpe", "jfif"],
            Self::Tiff => &["tif", "tiff"],
            Self::Gif => &["gif"],
            Self::Webp => &["webp"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Pptx => &["pptx"],
            Self::Doc => &["doc"],
            Self::Xls => &["xls"],
            Self::Ppt => &["ppt"],
            Self::Text { .. } => &["txt", "text", "csv"],
        }
    }

    /// The type's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF 文档",
            Self::Ofd => "OFD 版式文档",
            Self::Png => "PNG 图片",
            Self::Jpeg => "JPEG 图片",
            Self::Tiff => "TIFF 图片",
            Self::Gif => "GIF 图片",
            Self::Webp => "WebP 图片",
            Self::Docx => "Word 文档（DOCX）",
            Self::Xlsx => "Excel 工作簿（XLSX）",
            Self::Pptx => "PowerPoint 演示文稿（PPTX）",
            Self::Doc => "Word 文档（DOC）",
            Self::Xls => "Excel 工作簿（XLS）",
            Self::Ppt => "PowerPoint 演示文稿（PPT）",
            Self::Text { csv: true, .. } => "CSV 表格",
            Self::Text { csv: false, .. } => "纯文本",
        }
    }
}

/// The label of a stored media type, for lists (the media type itself when it is not one of ours).
pub fn media_type_label(media_type: &str) -> &str {
    [
        FileType::Text { encoding: TextEncoding::Utf8, csv: true },
        FileType::Text { encoding: TextEncoding::Gb18030, csv: true },
    ]
    .iter()
    .chain(FileType::ALL)
    .find(|t| t.media_type() == media_type)
    .map_or(media_type, |t| t.label())
}

/// What the content is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sniffed {
    /// A type that may be uploaded (text: `csv` false; the name decides).
    Allowed(FileType),
    /// A type recognised and refused, by its name for people.
    Refused(&'static str),
    /// Nothing recognised.
    Unknown,
}

const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The type of `bytes` from their content alone.
pub fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    let allowed = Sniffed::Allowed;
    if starts(b"%PDF-") {
        allowed(FileType::Pdf)
    } else if starts(b"\x89PNG\r\n\x1a\n") {
        allowed(FileType::Png)
    } else if starts(&[0xFF, 0xD8, 0xFF]) {
        allowed(FileType::Jpeg)
    } else if starts(b"II*\0") || starts(b"MM\0*") {
        allowed(FileType::Tiff)
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        allowed(FileType::Gif)
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        allowed(FileType::Webp)
    } else if starts(b"PK\x03\x04") {
        sniff_zip(bytes)
    } else if starts(OLE2) {
        sniff_ole2(bytes)
    } else if starts(b"MZ") {
        Sniffed::Refused("Windows 可执行程序")
    } else if starts(b"\x7fELF") {
        Sniffed::Refused("Linux 可执行程序")
    } else if [
        &[0xFE, 0xED, 0xFA, 0xCE],
        &[0xFE, 0xED, 0xFA, 0xCF],
        &[0xCE, 0xFA, 0xED, 0xFE],
        &[0xCF, 0xFA, 0xED, 0xFE],
        &[0xCA, 0xFE, 0xBA, 0xBE],
    ]
    .iter()
    .any(|m| starts(*m))
    {
        Sniffed::Refused("macOS 可执行程序或 Java 类文件")
    } else if starts(b"#!") {
        Sniffed::Refused("脚本")
    } else if starts(b"Rar!\x1a\x07") || starts(b"7z\xBC\xAF\x27\x1C") || starts(&[0x1F, 0x8B]) {
        Sniffed::Refused("压缩包")
    } else {
        match text_encoding(bytes) {
            Some(encoding) => allowed(FileType::Text { encoding, csv: false }),
            None => Sniffed::Unknown,
        }
    }
}

/// A ZIP is an OFD (`OFD.xml` at its root), an Office Open XML document (`[Content_Types].xml`
/// and its part folder), or an archive (refused).
fn sniff_zip(bytes: &[u8]) -> Sniffed {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Sniffed::Refused("损坏的压缩包");
    };
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let has = |name: &str| names.iter().any(|n| n == name);
    let has_folder = |folder: &str| names.iter().any(|n| n.starts_with(folder));
    if has("OFD.xml") {
        Sniffed::Allowed(FileType::Ofd)
    } else if has("[Content_Types].xml") && has_folder("word/") {
        Sniffed::Allowed(FileType::Docx)
    } else if has("[Content_Types].xml") && has_folder("xl/") {
        Sniffed::Allowed(FileType::Xlsx)
    } else if has("[Content_Types].xml") && has_folder("ppt/") {
        Sniffed::Allowed(FileType::Pptx)
    } else {
        Sniffed::Refused("压缩包")
    }
}

/// An OLE2 compound file is a Word, Excel or PowerPoint file when it holds their main stream
/// (named in UTF-16 in its directory); others (installers, for one) are refused.
fn sniff_ole2(bytes: &[u8]) -> Sniffed {
    let utf16 = |name: &str| name.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    let holds = |name: &str| {
        let needle = utf16(name);
        bytes.windows(needle.len()).any(|w| w == needle.as_slice())
    };
    if holds("WordDocument") {
        Sniffed::Allowed(FileType::Doc)
    } else if holds("Workbook") || holds("Book") {
        Sniffed::Allowed(FileType::Xls)
    } else if holds("PowerPoint Document") {
        Sniffed::Allowed(FileType::Ppt)
    } else {
        Sniffed::Refused("OLE 复合文件（如安装程序）")
    }
}

/// The encoding of `bytes` when they are text (see the module's note).
fn text_encoding(bytes: &[u8]) -> Option<TextEncoding> {
    let printable = |text: &str| !text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(body) {
        return printable(text).then_some(TextEncoding::Utf8);
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    (!had_errors && printable(&text)).then_some(TextEncoding::Gb18030)
}

/// Why a file was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypeRefusal {
    /// The content is of a type not accepted (code `document_type_not_allowed`).
    NotAllowed(String),
    /// The name's extension names another type than the content (code `document_type_mismatch`).
    Mismatch(String),
}

impl TypeRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed(_) => "document_type_not_allowed",
            Self::Mismatch(_) => "document_type_mismatch",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Self::NotAllowed(m) | Self::Mismatch(m) => m,
        }
    }
}

impl From<TypeRefusal> for Violation {
    fn from(refusal: TypeRefusal) -> Self {
        let code = refusal.code();
        Violation::field(code, "file", refusal.message())
    }
}

const ACCEPTED: &str = "可上传 PDF、OFD、图片（PNG、JPEG、TIFF、GIF、WebP）、Word/Excel/PowerPoint 文档、纯文本和 CSV";

/// The type of a file named `name` with content `bytes`: the content decides; a name's extension
/// must agree with it; a name without one takes the content's type.
///
/// # Errors
/// [`TypeRefusal::NotAllowed`] when the content is not of an accepted type (and the name does not
/// pretend it is); [`TypeRefusal::Mismatch`] when the extension names another type.
pub fn file_type(name: &Filename, bytes: &[u8]) -> Result<FileType, TypeRefusal> {
    let sniffed = sniff(bytes);
    let extension = name.extension();
    let claims_allowed = |ext: &str| FileType::ALL.iter().any(|t| t.extensions().contains(&ext));
    match (sniffed, extension) {
        (Sniffed::Allowed(found), None) => Ok(found),
        (Sniffed::Allowed(found), Some(ext)) if found.extensions().contains(&ext.as_str()) => Ok(match found {
            FileType::Text { encoding, .. } => FileType::Text { encoding, csv: ext == "csv" },
            other => other,
        }),
        (Sniffed::Allowed(found), Some(ext)) => {
            Err(TypeRefusal::Mismatch(format!("文件名的扩展名“.{ext}”与文件内容（{}）不符", found.label())))
        }
        (refused, Some(ext)) if claims_allowed(&ext) => {
            Err(TypeRefusal::Mismatch(format!("文件名的扩展名“.{ext}”与文件内容（{}）不符", what(refused))))
        }
        (refused, _) => Err(TypeRefusal::NotAllowed(format!("不接受{}：{ACCEPTED}", what(refused)))),
    }
}

fn what(sniffed: Sniffed) -> &'static str {
    match sniffed {
        Sniffed::Allowed(t) => t.label(),
        Sniffed::Refused(name) => name,
        Sniffed::Unknown => "无法识别类型的文件",
    }
}

/// The SHA-256 of `bytes`, as 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Whether `text` is a SHA-256 as [`sha256_hex`] writes it (a blob's name in the store).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A withdrawal's reason: required, at most 500 characters.
///
/// # Errors
/// `validation_failed` on `reason`.
pub fn withdrawal_reason(raw: Option<&str>) -> Result<String, Violation> {
    let mut errors = super::error::Errors::default();
    let reason = errors.text("reason", raw.unwrap_or_default(), 500);
    errors.finish()?;
    Ok(reason)
}

#[cfg(test)]
mod tests;
