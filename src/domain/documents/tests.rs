use std::io::Write as _;

use proptest::prelude::*;

use super::*;

fn zip_with(names: &[&str]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for name in names {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(b"<x/>").unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn ole2_with(stream: &str) -> Vec<u8> {
    let mut bytes = OLE2.to_vec();
    bytes.extend_from_slice(&[0; 56]);
    bytes.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
    bytes
}

fn name(n: &str) -> Filename {
    Filename::parse(n).unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const PE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0";

#[test]
fn kinds_have_keys_and_chinese_labels() {
    assert_eq!(DocumentKind::ALL.len(), 6);
    for &k in DocumentKind::ALL {
        assert_eq!(DocumentKind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.as_str()));
    }
    assert_eq!(DocumentKind::LetterAsSent.label(), "已送达文书");
    assert_eq!(DocumentKind::parse("scan"), None);
}

#[test]
fn the_content_decides_the_type() {
    assert_eq!(sniff(b"%PDF-1.7\n..."), Sniffed::Allowed(FileType::Pdf));
    assert_eq!(sniff(PNG), Sniffed::Allowed(FileType::Png));
    assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF"), Sniffed::Allowed(FileType::Jpeg));
    assert_eq!(sniff(b"II*\0\x08\0\0\0"), Sniffed::Allowed(FileType::Tiff));
    assert_eq!(sniff(b"GIF89a\x01\0"), Sniffed::Allowed(FileType::Gif));
    assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Sniffed::Allowed(FileType::Webp));
    assert_eq!(sniff(&zip_with(&["[Content_Types].xml", "word/document.xml"])), Sniffed::Allowed(FileType::Docx));
    assert_eq!(sniff(&zip_with(&["[Content_Types].xml", "xl/workbook.xml"])), Sniffed::Allowed(FileType::Xlsx));
    assert_eq!(sniff(&zip_with(&["[Content_Types].xml", "ppt/presentation.xml"])), Sniffed::Allowed(FileType::Pptx));
    assert_eq!(sniff(&zip_with(&["OFD.xml", "Doc_0/Document.xml"])), Sniffed::Allowed(FileType::Ofd));
    assert_eq!(sniff(&ole2_with("WordDocument")), Sniffed::Allowed(FileType::Doc));
    assert_eq!(sniff(&ole2_with("Workbook")), Sniffed::Allowed(FileType::Xls));
    assert_eq!(sniff(&ole2_with("PowerPoint Document")), Sniffed::Allowed(FileType::Ppt));
    let utf8 = FileType::Text { encoding: TextEncoding::Utf8, csv: false };
    assert_eq!(sniff("申请人：张三\r\n".as_bytes()), Sniffed::Allowed(utf8));
    assert_eq!(sniff("\u{feff}编号,日期\n".as_bytes()), Sniffed::Allowed(utf8));
    let (gbk, _, _) = encoding_rs::GB18030.encode("政府信息公开申请表\r\n");
    assert_eq!(sniff(&gbk), Sniffed::Allowed(FileType::Text { encoding: TextEncoding::Gb18030, csv: false }));
}

#[test]
fn executables_archives_and_the_unknown_are_refused() {
    assert_eq!(sniff(PE), Sniffed::Refused("Windows 可执行程序"));
    assert!(matches!(sniff(b"\x7fELF\x02\x01\x01"), Sniffed::Refused(_)));
    assert!(matches!(sniff(b"#!/bin/sh\nrm -rf /\n"), Sniffed::Refused(_)));
    assert!(matches!(sniff(&zip_with(&["a.exe"])), Sniffed::Refused("压缩包")));
    assert!(matches!(sniff(&ole2_with("SummaryInformation")), Sniffed::Refused(_)));
    assert!(matches!(sniff(b"\x1f\x8b\x08\0"), Sniffed::Refused("压缩包")));
    assert_eq!(sniff(b"\0\x01\x02\x03binary"), Sniffed::Unknown);
}

#[test]
fn a_name_must_agree_with_the_content() {
    assert_eq!(file_type(&name("申请表.PDF"), b"%PDF-1.4"), Ok(FileType::Pdf));
    assert_eq!(file_type(&name("身份证正面"), PNG), Ok(FileType::Png));
    assert_eq!(file_type(&name("照片.jpeg"), b"\xFF\xD8\xFF\xE1"), Ok(FileType::Jpeg));
    let csv = file_type(&name("清单.csv"), b"a,b\n1,2\n").unwrap();
    assert_eq!(csv.media_type(), "text/csv; charset=utf-8");
    assert_eq!(file_type(&name("说明.txt"), b"hello").unwrap().media_type(), "text/plain; charset=utf-8");
    // Disguised: the extension names another accepted type.
    let png_as_pdf = file_type(&name("x.pdf"), PNG).unwrap_err();
    assert_eq!(png_as_pdf.code(), "document_type_mismatch");
    assert!(png_as_pdf.message().contains("PNG"));
    assert_eq!(file_type(&name("x.pdf"), PE).unwrap_err().code(), "document_type_mismatch");
    assert_eq!(file_type(&name("x.docx"), &zip_with(&["a.txt"])).unwrap_err().code(), "document_type_mismatch");
    // Not accepted whatever the name.
    assert_eq!(file_type(&name("setup.exe"), PE).unwrap_err().code(), "document_type_not_allowed");
    assert_eq!(file_type(&name("setup"), PE).unwrap_err().code(), "document_type_not_allowed");
    assert_eq!(file_type(&name("files.zip"), &zip_with(&["a.pdf"])).unwrap_err().code(), "document_type_not_allowed");
    // A PNG named .exe is not what it says either.
    assert_eq!(file_type(&name("photo.exe"), PNG).unwrap_err().code(), "document_type_mismatch");
}

#[test]
fn names_are_kept_for_display_and_cannot_be_paths() {
    assert_eq!(name("  2026年第3号申请表.pdf ").as_str(), "2026年第3号申请表.pdf");
    assert_eq!(name("扫描件.PDF").extension().as_deref(), Some("pdf"));
    assert_eq!(name(".bashrc").extension(), None);
    assert_eq!(name("说明").extension(), None);
    for bad in ["", "  ", "../etc/passwd", "a\\b.pdf", "a\nb.pdf", "a\0b", ".", "..", "发票\u{202e}fdp.exe"] {
        assert_eq!(Filename::parse(bad).unwrap_err().code, "invalid_filename", "{bad:?}");
    }
    assert!(Filename::parse(&"长".repeat(MAX_FILENAME_CHARS)).is_ok());
    assert!(Filename::parse(&"长".repeat(MAX_FILENAME_CHARS + 1)).is_err());
}

#[test]
fn sha256_of_known_vectors() {
    assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert!(is_sha256_hex(&sha256_hex(b"x")));
    assert!(!is_sha256_hex("../../etc/passwd"));
    assert!(!is_sha256_hex(&sha256_hex(b"x").to_uppercase()));
}

#[test]
fn a_withdrawal_needs_a_reason() {
    assert_eq!(withdrawal_reason(Some("  上传错了案件 ")).unwrap(), "上传错了案件");
    assert!(withdrawal_reason(None).is_err());
    assert!(withdrawal_reason(Some(" ")).is_err());
}

fn any_extension() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        Just(None),
        proptest::sample::select(vec!["pdf", "png", "jpg", "docx", "xls", "txt", "csv", "exe", "zip", "ofd", "gif"])
            .prop_map(Some),
    ]
}

proptest! {
    /// Whatever the bytes and the name, a file is refused or gets a type its name agrees with.
    #[test]
    fn random_bytes_are_refused_or_typed_as_their_name_says(
        prefix in proptest::sample::select(vec![&b""[..], b"%PDF-", b"\x89PNG\r\n\x1a\n", b"MZ", b"PK\x03\x04", b"GIF89a", b"\xFF\xD8\xFF"]),
        rest in proptest::collection::vec(any::<u8>(), 0..512),
        extension in any_extension(),
    ) {
        let mut bytes = prefix.to_vec();
        bytes.extend(rest);
        let filename = name(&extension.map_or_else(|| "材料".to_string(), |e| format!("材料.{e}")));
        if let Ok(found) = file_type(&filename, &bytes) {
            if let Some(ext) = filename.extension() {
                prop_assert!(found.extensions().contains(&ext.as_str()), "{found:?} for .{ext}");
            }
            prop_assert_eq!(sniff(&bytes).ne(&Sniffed::Unknown), true);
        }
    }

    /// Any text without control characters is accepted as text under a text name.
    #[test]
    fn printable_text_is_text(text in "[a-z0-9 ,\\n\u{4e00}-\u{9fa5}]{1,200}") {
        let found = file_type(&name("x.txt"), text.as_bytes());
        prop_assert_eq!(found, Ok(FileType::Text { encoding: TextEncoding::Utf8, csv: false }));
    }
}
