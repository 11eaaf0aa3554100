//! The case ledger (台账): the columns an agency's ledger of requests has, the names a hand-kept
//! ledger gives them, and how its cells become a validated case ([`row`]). Pure: reading and
//! writing the files is [`crate::ledger`]'s, checking against the database the service's.

pub mod appeals;
pub mod cells;
pub mod entry;
pub mod labels;
pub mod row;

use std::collections::BTreeMap;

pub use appeals::LedgerAppeal;
pub use cells::Cell;
pub use entry::{LedgerEntry, Value};
pub use row::{Checked, LedgerCase, LedgerConclusion, LedgerFacts, Problem, RawRow};

/// A column of the ledger. The first eighteen are the export's, in its order
/// ([`LedgerColumn::EXPORTED`]); [`LedgerColumn::Remarks`] is read when a ledger has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerColumn {
    CaseNumber,
    ReceivedOn,
    Channel,
    ApplicantCategory,
    ApplicantName,
    IdNumber,
    Contact,
    Description,
    Status,
    DueOn,
    ConcludedOn,
    Outcome,
    Basis,
    Corrected,
    Consulted,
    Extended,
    Fee,
    Appeals,
    Remarks,
}

impl LedgerColumn {
    /// The export's columns, in order: its header row is exactly their [`LedgerColumn::header`]s.
    pub const EXPORTED: [LedgerColumn; 18] = [
        Self::CaseNumber,
        Self::ReceivedOn,
        Self::Channel,
        Self::ApplicantCategory,
        Self::ApplicantName,
        Self::IdNumber,
        Self::Contact,
        Self::Description,
        Self::Status,
        Self::DueOn,
        Self::ConcludedOn,
        Self::Outcome,
        Self::Basis,
        Self::Corrected,
        Self::Consulted,
        Self::Extended,
        Self::Fee,
        Self::Appeals,
    ];

    /// Every column an import recognises.
    pub const ALL: [LedgerColumn; 19] = [
        Self::CaseNumber,
        Self::ReceivedOn,
        Self::Channel,
        Self::ApplicantCategory,
        Self::ApplicantName,
        Self::IdNumber,
        Self::Contact,
        Self::Description,
        Self::Status,
        Self::DueOn,
        Self::ConcludedOn,
        Self::Outcome,
        Self::Basis,
        Self::Corrected,
        Self::Consulted,
        Self::Extended,
        Self::Fee,
        Self::Appeals,
        Self::Remarks,
    ];

    /// The columns an import cannot do without.
    pub const REQUIRED: [LedgerColumn; 5] =
        [Self::ReceivedOn, Self::Channel, Self::ApplicantCategory, Self::ApplicantName, Self::Description];

    /// The column's name in the export's header row.
    pub fn header(self) -> &'static str {
        self.names()[0]
    }

    /// The names a ledger gives the column: the export's first, then the usual variants of
    /// hand-kept ledgers. The one table of header names; matched after [`normalise_header`].
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Self::CaseNumber => {
                &["申请编号", "事项流水号", "流水号", "登记编号", "受理编号", "案件编号", "申请单号", "编号", "登记号"]
            }
            Self::ReceivedOn => &[
                "收到申请日期",
                "收到申请时间",
                "收到日期",
                "收到时间",
                "申请时间",
                "申请日期",
                "受理日期",
                "受理时间",
                "登记日期",
                "登记时间",
                "收件日期",
            ],
            Self::Channel => &["申请方式", "受理方式", "提交方式", "申请渠道", "申请途径", "收到方式", "来源"],
            Self::ApplicantCategory => {
                &["申请人类型", "申请人类别", "申请人性质", "申请主体类型", "申请人情况", "申请人分类"]
            }
            Self::ApplicantName => {
                &["申请人姓名或名称", "申请人", "申请人姓名", "申请人名称", "姓名或名称", "姓名", "申请单位"]
            }
            Self::IdNumber => &[
                "证件号码",
                "证件号",
                "身份证号",
                "身份证号码",
                "身份证件号码",
                "统一社会信用代码",
                "证件号码或统一社会信用代码",
            ],
            Self::Contact => &["联系方式", "联系电话", "电话", "手机", "手机号码", "联系人电话"],
            Self::Description => &[
                "申请内容",
                "申请信息",
                "申请信息描述",
                "申请公开内容",
                "申请公开的信息",
                "所需信息",
                "所需政府信息",
                "申请事项",
                "内容",
            ],
            Self::Status => &["办理状态", "状态", "处理状态", "办结状态"],
            Self::DueOn => &["答复期限", "答复截止日期", "办理期限", "法定期限", "到期日期"],
            Self::ConcludedOn => {
                &["答复日期", "答复时间", "回复时间", "回复日期", "办结日期", "办结时间", "处理日期", "告知日期"]
            }
            Self::Outcome => &["办理结果", "答复结果", "处理结果", "答复类型", "答复情况", "结果类型"],
            Self::Basis => &["依据", "依据条款", "答复依据", "法律依据", "适用条款"],
            Self::Corrected => &["是否补正", "补正", "补正情况"],
            Self::Consulted => &["是否征求意见", "征求意见", "征求意见情况"],
            Self::Extended => &["是否延期", "延期", "延期情况"],
            Self::Fee => &["收费金额", "收费", "信息处理费", "收费金额(元)", "收费(元)"],
            Self::Appeals => &["复议诉讼情况", "复议诉讼", "行政复议行政诉讼情况", "复议及诉讼情况"],
            Self::Remarks => &["备注", "说明"],
        }
    }

    /// The column a header names, if any (exact after normalising; a trailing parenthetical such
    /// as `（元）` or `(必填)` is tried without).
    pub fn of_header(header: &str) -> Option<Self> {
        let wanted = normalise_header(header);
        if wanted.is_empty() {
            return None;
        }
        let find =
            |text: &str| Self::ALL.into_iter().find(|c| c.names().iter().any(|name| normalise_header(name) == text));
        find(&wanted).or_else(|| {
            let stripped = match wanted.rfind('(') {
                Some(i) if i > 0 && wanted.ends_with(')') => &wanted[..i],
                _ => return None,
            };
            find(stripped)
        })
    }

    /// The column named `name` by its export name or a variant (for explicit mappings).
    pub fn of_name(name: &str) -> Option<Self> {
        Self::of_header(name)
    }
}

/// A header as compared: without white space, line breaks and the `*` marking required columns,
/// full-width parentheses as ASCII ones.
pub fn normalise_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// How the columns of a file map to the ledger's: the position of each recognised column, and
/// the header text the file gives it (problems name the column as the file does).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderMap {
    /// The sheet row of the header (1-based, as Excel numbers rows).
    pub row: u32,
    pub columns: BTreeMap<LedgerColumn, (usize, String)>,
}

impl HeaderMap {
    /// The file's name for `column` (its header text), or the export's name.
    pub fn name(&self, column: LedgerColumn) -> String {
        self.columns.get(&column).map_or_else(|| column.header().to_owned(), |(_, text)| text.clone())
    }
}

/// Why a header row could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// No row in the first rows names enough of the ledger's columns.
    NotFound,
    /// The header lacks columns an import needs.
    Missing(Vec<LedgerColumn>),
    /// Two columns of the file name the same ledger column.
    Duplicate(LedgerColumn, String, String),
    /// An explicit mapping names a column the ledger does not have.
    UnknownTarget(String),
}

impl HeaderError {
    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "header_not_found",
            Self::Missing(_) => "missing_column",
            Self::Duplicate(..) => "duplicate_column",
            Self::UnknownTarget(_) => "unknown_mapping_target",
        }
    }

    /// What is wrong, in Chinese.
    pub fn message(&self) -> String {
        match self {
            Self::NotFound => format!(
                "在工作表前{HEADER_SEARCH_ROWS}行中未找到表头行：表头应至少包含“收到申请日期”“申请人姓名或名称”等列名中的三个"
            ),
            Self::Missing(columns) => {
                let list = columns
                    .iter()
                    .map(|c| format!("“{}”（也可写作：{}）", c.header(), c.names()[1..].join("、")))
                    .collect::<Vec<_>>()
                    .join("；");
                format!("缺少必需的列：{list}。其他名称的列可用列名对应关系指定")
            }
            Self::Duplicate(column, a, b) => {
                format!("“{a}”与“{b}”两列都对应“{}”，请删去其中一列或重新指定对应关系", column.header())
            }
            Self::UnknownTarget(name) => format!(
                "列名对应关系中的“{name}”不是台账的列名，可用的列名：{}",
                LedgerColumn::ALL.iter().map(|c| c.header()).collect::<Vec<_>>().join("、")
            ),
        }
    }
}

/// How many rows from the top are searched for the header (title rows sit above it).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// An explicit mapping: a header of the file → the ledger column it holds.
pub type Mapping = Vec<(String, LedgerColumn)>;

/// Parse a mapping written `原列名=台账列名`, several separated by `;` or `；` (or given one per
/// entry).
///
/// # Errors
/// An entry without `=`, or naming a column the ledger does not have.
pub fn parse_mapping<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Mapping, HeaderError> {
    let mut mapping = Vec::new();
    for entry in entries.into_iter().flat_map(|e| e.split([';', '；'])) {
        let entry = entry.trim();
        if entry.is_empty() {
            continue;
        }
        let (from, to) = entry.split_once(['=', '＝']).ok_or_else(|| HeaderError::UnknownTarget(entry.to_owned()))?;
        let column = LedgerColumn::of_name(to).ok_or_else(|| HeaderError::UnknownTarget(to.trim().to_owned()))?;
        mapping.push((normalise_header(from), column));
    }
    Ok(mapping)
}

/// Find the header among the first rows: the row naming the most ledger columns (at least three,
/// the explicit mapping counted), the earliest of equals.
///
/// # Errors
/// No such row, a required column missing, or a column named twice.
pub fn find_header(rows: &[(u32, Vec<String>)], mapping: &Mapping) -> Result<HeaderMap, HeaderError> {
    let recognise = |text: &str| {
        let normalised = normalise_header(text);
        mapping.iter().find(|(from, _)| *from == normalised).map(|(_, c)| *c).or_else(|| LedgerColumn::of_header(text))
    };
    let best = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .map(|(number, cells)| (number, cells, cells.iter().filter(|c| recognise(c).is_some()).count()))
        .filter(|(_, _, n)| *n >= 3)
        .fold(None, |best: Option<(&u32, &Vec<String>, usize)>, candidate| match best {
            Some(b) if b.2 >= candidate.2 => Some(b),
            _ => Some(candidate),
        });
    let (number, cells, _) = best.ok_or(HeaderError::NotFound)?;
    let mut header = HeaderMap { row: *number, columns: BTreeMap::new() };
    for (position, text) in cells.iter().enumerate() {
        let Some(column) = recognise(text) else { continue };
        if let Some((_, earlier)) = header.columns.get(&column) {
            return Err(HeaderError::Duplicate(column, earlier.clone(), text.trim().to_owned()));
        }
        header.columns.insert(column, (position, text.trim().to_owned()));
    }
    let missing: Vec<LedgerColumn> =
        LedgerColumn::REQUIRED.into_iter().filter(|c| !header.columns.contains_key(c)).collect();
    if !missing.is_empty() {
        return Err(HeaderError::Missing(missing));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_headers_are_recognised_as_they_are() {
        for column in LedgerColumn::EXPORTED {
            assert_eq!(LedgerColumn::of_header(column.header()), Some(column));
        }
        let headers: Vec<&str> = LedgerColumn::EXPORTED.iter().map(|c| c.header()).collect();
        assert_eq!(headers.len(), 18);
        assert_eq!(headers[0], "申请编号");
        assert_eq!(headers[17], "复议诉讼情况");
    }

    #[test]
    fn usual_variants_of_hand_kept_ledgers_are_recognised() {
        for (header, column) in [
            ("申请时间", LedgerColumn::ReceivedOn),
            ("收到日期", LedgerColumn::ReceivedOn),
            ("受理日期", LedgerColumn::ReceivedOn),
            (" 申请人 ", LedgerColumn::ApplicantName),
            ("申请人姓名", LedgerColumn::ApplicantName),
            ("答复结果", LedgerColumn::Outcome),
            ("处理结果", LedgerColumn::Outcome),
            ("办理结果", LedgerColumn::Outcome),
            ("答复类型", LedgerColumn::Outcome),
            ("回复时间", LedgerColumn::ConcludedOn),
            ("事项流水号", LedgerColumn::CaseNumber),
            ("收费金额（元）", LedgerColumn::Fee),
            ("*申请人类别", LedgerColumn::ApplicantCategory),
            ("申请内容\n（必填）", LedgerColumn::Description),
        ] {
            assert_eq!(LedgerColumn::of_header(header), Some(column), "{header}");
        }
        assert_eq!(LedgerColumn::of_header("承办部门"), None);
        assert_eq!(LedgerColumn::of_header("序号"), None, "a row number is not the case number");
    }

    #[test]
    fn every_name_belongs_to_one_column_only() {
        let mut seen = std::collections::HashMap::new();
        for column in LedgerColumn::ALL {
            for name in column.names() {
                assert_eq!(seen.insert(normalise_header(name), column), None, "{name}");
            }
        }
    }

    fn rows(rows: &[&[&str]]) -> Vec<(u32, Vec<String>)> {
        rows.iter().zip(1..).map(|(r, n)| (n, r.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    #[test]
    fn the_header_is_found_below_title_rows() {
        let sheet = rows(&[
            &["某区2025年政府信息公开申请登记台账"],
            &[],
            &["序号", "申请时间", "受理方式", "申请人姓名", "申请人类别", "申请信息描述", "承办部门"],
        ]);
        let header = find_header(&sheet, &Vec::new()).unwrap();
        assert_eq!(header.row, 3);
        assert_eq!(header.columns[&LedgerColumn::ReceivedOn], (1, "申请时间".to_owned()));
        assert!(!header.columns.contains_key(&LedgerColumn::CaseNumber));
        assert_eq!(header.name(LedgerColumn::ApplicantName), "申请人姓名");
    }

    #[test]
    fn a_missing_required_column_is_named_with_its_variants() {
        let sheet = rows(&[&["申请时间", "申请人", "申请内容", "申请方式"]]);
        let error = find_header(&sheet, &Vec::new()).unwrap_err();
        assert_eq!(error, HeaderError::Missing(vec![LedgerColumn::ApplicantCategory]));
        assert!(error.message().contains("申请人类型"), "{}", error.message());
        assert!(error.message().contains("申请人类别"));
        assert_eq!(find_header(&rows(&[&["甲", "乙"]]), &Vec::new()).unwrap_err(), HeaderError::NotFound);
    }

    #[test]
    fn an_explicit_mapping_names_any_other_column() {
        let sheet = rows(&[&["来件日期", "申请方式", "申请人", "申请人类型", "申请内容"]]);
        assert!(matches!(find_header(&sheet, &Vec::new()), Err(HeaderError::Missing(_))));
        let mapping = parse_mapping(["来件日期=收到申请日期"]).unwrap();
        let header = find_header(&sheet, &mapping).unwrap();
        assert_eq!(header.columns[&LedgerColumn::ReceivedOn].0, 0);
        assert!(matches!(parse_mapping(["来件日期=不存在的列"]), Err(HeaderError::UnknownTarget(_))));
        assert_eq!(parse_mapping(["a=申请人；b=备注", ""]).unwrap().len(), 2);
    }

    #[test]
    fn a_column_named_twice_is_refused() {
        let sheet = rows(&[&["申请时间", "收到日期", "申请方式", "申请人", "申请人类型", "申请内容"]]);
        assert!(matches!(find_header(&sheet, &Vec::new()), Err(HeaderError::Duplicate(LedgerColumn::ReceivedOn, ..))));
    }
}
