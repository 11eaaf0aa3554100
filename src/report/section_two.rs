//! Section two (二、主动公开政府信息情况): proactive-disclosure figures. They are not derived from request
//! cases but entered per agency and year, in the format of the report's template.
//!
//! Money is held as `i64` fen, like everywhere in the service, and printed in 万元 (1 万元 = 1 000 000
//! fen) with as many decimals as needed and no trailing zeros, so the printed figure is exact. That
//! holds for 2021's 本年收费金额（单位：万元） and, since the 2019 form names no unit for 采购总金额, for
//! 2019's procurement amount too (published reports give it in 万元).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Template, SECTION_TWO_TITLE};
use super::ReportError;

/// Section two in the format of one template; serialised with a `"template": "2019" | "2021"` tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "template")]
pub enum SectionTwo {
    /// The 2019 trial format.
    #[serde(rename = "2019")]
    Y2019(SectionTwo2019),
    /// The 2021 format.
    #[serde(rename = "2021")]
    Y2021(SectionTwo2021),
}

/// Section two, template 2019.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionTwo2019 {
    /// 第二十条第（一）项 规章.
    pub rules: PublicationFigures,
    /// 第二十条第（一）项 规范性文件.
    pub normative_documents: PublicationFigures,
    /// 第二十条第（五）项 行政许可.
    pub licensing: ItemFigures,
    /// 第二十条第（五）项 其他对外管理服务事项.
    pub other_services: ItemFigures,
    /// 第二十条第（六）项 行政处罚.
    pub penalties: ItemFigures,
    /// 第二十条第（六）项 行政强制.
    pub enforcement: ItemFigures,
    /// 第二十条第（八）项 行政事业性收费.
    pub fees: FeeItemFigures,
    /// 第二十条第（九）项 政府集中采购.
    pub procurement: ProcurementFigures,
}

/// 本年新制作数量, 本年新公开数量, 对外公开总数量 (2019).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicationFigures {
    /// 本年新制作数量.
    pub new_made: i64,
    /// 本年新公开数量.
    pub new_published: i64,
    /// 对外公开总数量.
    pub total_published: i64,
}

/// 上一年项目数量, 本年增/减, 处理决定数量 (2019).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemFigures {
    /// 上一年项目数量.
    pub previous_count: i64,
    /// 本年增/减: may be negative.
    pub change: i64,
    /// 处理决定数量.
    pub decisions: i64,
}

/// 上一年项目数量, 本年增/减 (2019 fees).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeItemFigures {
    /// 上一年项目数量.
    pub previous_count: i64,
    /// 本年增/减: may be negative.
    pub change: i64,
}

/// 采购项目数量, 采购总金额 (2019).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProcurementFigures {
    /// 采购项目数量.
    pub items: i64,
    /// 采购总金额, in fen (printed in 万元).
    pub total_amount_fen: i64,
}

/// Section two, template 2021.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionTwo2021 {
    /// 第二十条第（一）项 规章.
    pub rules: DocumentFigures,
    /// 第二十条第（一）项 行政规范性文件.
    pub normative_documents: DocumentFigures,
    /// 第二十条第（五）项 行政许可.
    pub licensing: DecisionFigures,
    /// 第二十条第（六）项 行政处罚.
    pub penalties: DecisionFigures,
    /// 第二十条第（六）项 行政强制.
    pub enforcement: DecisionFigures,
    /// 第二十条第（八）项 行政事业性收费.
    pub fees: FeeAmount,
}

/// 本年制发件数, 本年废止件数, 现行有效件数 (2021).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DocumentFigures {
    /// 本年制发件数.
    pub issued: i64,
    /// 本年废止件数.
    pub repealed: i64,
    /// 现行有效件数.
    pub in_force: i64,
}

/// 本年处理决定数量 (2021).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionFigures {
    /// 本年处理决定数量.
    pub decisions: i64,
}

/// 本年收费金额（单位：万元） (2021).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FeeAmount {
    /// The amount in fen (printed in 万元).
    pub amount_fen: i64,
}

/// Implements `plus`, the field-by-field sum, for a struct of `i64` figures. Sums saturate instead
/// of overflowing (absurd input then shows as absurd figures, not as a panic).
macro_rules! summable {
    ($ty:ident { $($field:ident),+ $(,)? }) => {
        impl $ty {
            /// The field-by-field sum of `self` and `other`.
            pub fn plus(self, other: Self) -> Self {
                Self { $($field: self.$field.saturating_add(other.$field)),+ }
            }
        }
    };
}

summable!(PublicationFigures { new_made, new_published, total_published });
summable!(ItemFigures { previous_count, change, decisions });
summable!(FeeItemFigures { previous_count, change });
summable!(ProcurementFigures { items, total_amount_fen });
summable!(DocumentFigures { issued, repealed, in_force });
summable!(DecisionFigures { decisions });
summable!(FeeAmount { amount_fen });

impl SectionTwo2019 {
    /// The field-by-field sum of two agencies' figures.
    pub fn plus(self, o: Self) -> Self {
        Self {
            rules: self.rules.plus(o.rules),
            normative_documents: self.normative_documents.plus(o.normative_documents),
            licensing: self.licensing.plus(o.licensing),
            other_services: self.other_services.plus(o.other_services),
            penalties: self.penalties.plus(o.penalties),
            enforcement: self.enforcement.plus(o.enforcement),
            fees: self.fees.plus(o.fees),
            procurement: self.procurement.plus(o.procurement),
        }
    }
}

impl SectionTwo2021 {
    /// The field-by-field sum of two agencies' figures.
    pub fn plus(self, o: Self) -> Self {
        Self {
            rules: self.rules.plus(o.rules),
            normative_documents: self.normative_documents.plus(o.normative_documents),
            licensing: self.licensing.plus(o.licensing),
            penalties: self.penalties.plus(o.penalties),
            enforcement: self.enforcement.plus(o.enforcement),
            fees: self.fees.plus(o.fees),
        }
    }
}

/// An agency as a report names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgencyRef {
    pub id: i64,
    pub name: String,
}

/// Whether section two was entered: by every agency of the report, by some (a compiled report), or
/// by none (未填报).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionTwoState {
    /// 已填报: every agency of the report entered its figures.
    Entered,
    /// 部分机关未填报 (compiled reports): the figures are the sum of those entered.
    Partial,
    /// 未填报: no agency of the report entered figures in the report's template.
    Missing,
}

impl SectionTwoState {
    /// The Chinese name printed in every export.
    pub fn label(self) -> &'static str {
        match self {
            Self::Entered => "已填报",
            Self::Partial => "部分机关未填报",
            Self::Missing => "未填报",
        }
    }
}

/// What a report says about section two besides its figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SectionTwoStatus {
    /// `entered`, `partial` or `missing`.
    pub state: SectionTwoState,
    /// 已填报, 部分机关未填报 or 未填报.
    pub label: String,
    /// The agencies of the report that have not entered figures in the report's template (for a
    /// report of the agency alone, the agency itself when missing), in the order of the tree.
    pub missing_agencies: Vec<AgencyRef>,
    /// Reconstructed for a report sealed before the status was recorded (from whether section two
    /// is present); such a status is not compared with today's.
    #[serde(skip)]
    pub inferred: bool,
}

impl SectionTwoStatus {
    /// The status of figures entered by some agencies and not by `missing`; `entered` says whether
    /// any agency entered figures.
    pub fn new(entered: bool, missing_agencies: Vec<AgencyRef>) -> Self {
        let state = match (entered, missing_agencies.is_empty()) {
            (false, _) => SectionTwoState::Missing,
            (true, true) => SectionTwoState::Entered,
            (true, false) => SectionTwoState::Partial,
        };
        Self { state, label: state.label().to_owned(), missing_agencies, inferred: false }
    }

    /// One sentence for the exports: 已填报; 未填报; or, for a compiled report, which agencies are
    /// missing and that the figures shown are the sum of the others.
    pub fn sentence(&self) -> String {
        let names = || self.missing_agencies.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join("、");
        match self.state {
            SectionTwoState::Entered => self.state.label().to_owned(),
            SectionTwoState::Missing if self.missing_agencies.len() > 1 => {
                format!("未填报（{}均未填报本部分数据）", names())
            }
            SectionTwoState::Missing => self.state.label().to_owned(),
            SectionTwoState::Partial => {
                format!("部分机关未填报：{}未填报，以下为其余已填报机关数据之和。", names())
            }
        }
    }
}

/// A figure of section two as printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    /// A count (or a signed change of a count).
    Count(i64),
    /// A sum of money in fen, printed in 万元.
    Fen(i64),
}

impl Figure {
    /// The figure as printed: the count, or the amount in 万元 without trailing zeros.
    pub fn display(self) -> String {
        match self {
            Self::Count(n) => n.to_string(),
            Self::Fen(fen) => wan_yuan(fen),
        }
    }

    /// The figure as a spreadsheet number (counts exactly; amounts in 万元).
    pub fn as_f64(self) -> f64 {
        match self {
            Self::Count(n) => crate::report::as_number(n),
            Self::Fen(fen) => crate::report::as_number(fen) / 1_000_000.0,
        }
    }
}

/// An amount in fen as 万元, exactly: `123_450_000` → `"123.45"`, `0` → `"0"`.
pub fn wan_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = abs / 1_000_000;
    let fraction = abs % 1_000_000;
    if fraction == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{fraction:06}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

/// One row of a section-two block: an item and its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockRow {
    /// The item's field in the JSON, e.g. `licensing`.
    pub key: &'static str,
    /// The item (信息内容), e.g. 行政许可.
    pub label: &'static str,
    /// The figures in the block's column order.
    pub figures: Vec<Figure>,
}

/// One block of section two as printed: a heading row, a column-label row starting with 信息内容, and
/// one row per item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// e.g. 第二十条第（一）项.
    pub heading: &'static str,
    /// The column labels, the first being 信息内容.
    pub columns: Vec<&'static str>,
    /// The JSON field of each figure column (the columns after 信息内容), e.g. `new_made`: with a
    /// row's key, the path a form or an error names (`rules.new_made`).
    pub fields: Vec<&'static str>,
    /// The items.
    pub rows: Vec<BlockRow>,
}

/// The label of the first column of every block.
const ITEM: &str = "信息内容";

/// Builds a `BlockRow` of counts.
fn counts(key: &'static str, label: &'static str, values: &[i64]) -> BlockRow {
    BlockRow { key, label, figures: values.iter().map(|&n| Figure::Count(n)).collect() }
}

impl SectionTwo {
    /// The section's title.
    pub const TITLE: &'static str = SECTION_TWO_TITLE;

    /// The template whose format the figures follow.
    pub fn template(&self) -> Template {
        match self {
            Self::Y2019(_) => Template::Y2019,
            Self::Y2021(_) => Template::Y2021,
        }
    }

    /// The sum of several agencies' figures in `template` (a compiled report's section two): every
    /// section-two figure is a count, a change of a count or an amount, so each adds up. Figures in
    /// the other template are left out; `None` when none are in `template`.
    pub fn sum<'a>(template: Template, all: impl IntoIterator<Item = &'a SectionTwo>) -> Option<SectionTwo> {
        all.into_iter().filter(|s| s.template() == template).cloned().reduce(|a, b| match (a, b) {
            (Self::Y2019(a), Self::Y2019(b)) => Self::Y2019(a.plus(b)),
            (Self::Y2021(a), Self::Y2021(b)) => Self::Y2021(a.plus(b)),
            // Unreachable after the filter; keep the first rather than mix formats.
            (a, _) => a,
        })
    }

    /// Checks that every count and amount is non-negative; only 本年增/减 may be negative.
    ///
    /// # Errors
    ///
    /// `ReportError::InvalidSectionTwo` naming the first negative field.
    pub fn validate(&self) -> Result<(), ReportError> {
        let fields: Vec<(&'static str, i64)> = match self {
            Self::Y2019(s) => vec![
                ("rules.new_made", s.rules.new_made),
                ("rules.new_published", s.rules.new_published),
                ("rules.total_published", s.rules.total_published),
                ("normative_documents.new_made", s.normative_documents.new_made),
                ("normative_documents.new_published", s.normative_documents.new_published),
                ("normative_documents.total_published", s.normative_documents.total_published),
                ("licensing.previous_count", s.licensing.previous_count),
                ("licensing.decisions", s.licensing.decisions),
                ("other_services.previous_count", s.other_services.previous_count),
                ("other_services.decisions", s.other_services.decisions),
                ("penalties.previous_count", s.penalties.previous_count),
                ("penalties.decisions", s.penalties.decisions),
                ("enforcement.previous_count", s.enforcement.previous_count),
                ("enforcement.decisions", s.enforcement.decisions),
                ("fees.previous_count", s.fees.previous_count),
                ("procurement.items", s.procurement.items),
                ("procurement.total_amount_fen", s.procurement.total_amount_fen),
            ],
            Self::Y2021(s) => vec![
                ("rules.issued", s.rules.issued),
                ("rules.repealed", s.rules.repealed),
                ("rules.in_force", s.rules.in_force),
                ("normative_documents.issued", s.normative_documents.issued),
                ("normative_documents.repealed", s.normative_documents.repealed),
                ("normative_documents.in_force", s.normative_documents.in_force),
                ("licensing.decisions", s.licensing.decisions),
                ("penalties.decisions", s.penalties.decisions),
                ("enforcement.decisions", s.enforcement.decisions),
                ("fees.amount_fen", s.fees.amount_fen),
            ],
        };
        match fields.into_iter().find(|&(_, value)| value < 0) {
            Some((field, value)) => Err(ReportError::InvalidSectionTwo { field, value }),
            None => Ok(()),
        }
    }

    /// The blocks as printed in the official table, in order.
    pub fn blocks(&self) -> Vec<Block> {
        match self {
            Self::Y2019(s) => {
                let item_columns = vec![ITEM, "上一年项目数量", "本年增/减", "处理决定数量"];
                let item_fields = vec!["previous_count", "change", "decisions"];
                let items = |f: &ItemFigures| [f.previous_count, f.change, f.decisions];
                let published = |f: &PublicationFigures| [f.new_made, f.new_published, f.total_published];
                vec![
                    Block {
                        heading: "第二十条第（一）项",
                        columns: vec![ITEM, "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                        fields: vec!["new_made", "new_published", "total_published"],
                        rows: vec![
                            counts("rules", "规章", &published(&s.rules)),
                            counts("normative_documents", "规范性文件", &published(&s.normative_documents)),
                        ],
                    },
                    Block {
                        heading: "第二十条第（五）项",
                        columns: item_columns.clone(),
                        fields: item_fields.clone(),
                        rows: vec![
                            counts("licensing", "行政许可", &items(&s.licensing)),
                            counts("other_services", "其他对外管理服务事项", &items(&s.other_services)),
                        ],
                    },
                    Block {
                        heading: "第二十条第（六）项",
                        columns: item_columns,
                        fields: item_fields,
                        rows: vec![
                            counts("penalties", "行政处罚", &items(&s.penalties)),
                            counts("enforcement", "行政强制", &items(&s.enforcement)),
                        ],
                    },
                    Block {
                        heading: "第二十条第（八）项",
                        columns: vec![ITEM, "上一年项目数量", "本年增/减"],
                        fields: vec!["previous_count", "change"],
                        rows: vec![counts("fees", "行政事业性收费", &[s.fees.previous_count, s.fees.change])],
                    },
                    Block {
                        heading: "第二十条第（九）项",
                        columns: vec![ITEM, "采购项目数量", "采购总金额"],
                        fields: vec!["items", "total_amount_fen"],
                        rows: vec![BlockRow {
                            key: "procurement",
                            label: "政府集中采购",
                            figures: vec![
                                Figure::Count(s.procurement.items),
                                Figure::Fen(s.procurement.total_amount_fen),
                            ],
                        }],
                    },
                ]
            }
            Self::Y2021(s) => {
                let documents = |f: &DocumentFigures| [f.issued, f.repealed, f.in_force];
                vec![
                    Block {
                        heading: "第二十条第（一）项",
                        columns: vec![ITEM, "本年制发件数", "本年废止件数", "现行有效件数"],
                        fields: vec!["issued", "repealed", "in_force"],
                        rows: vec![
                            counts("rules", "规章", &documents(&s.rules)),
                            counts("normative_documents", "行政规范性文件", &documents(&s.normative_documents)),
                        ],
                    },
                    Block {
                        heading: "第二十条第（五）项",
                        columns: vec![ITEM, "本年处理决定数量"],
                        fields: vec!["decisions"],
                        rows: vec![counts("licensing", "行政许可", &[s.licensing.decisions])],
                    },
                    Block {
                        heading: "第二十条第（六）项",
                        columns: vec![ITEM, "本年处理决定数量"],
                        fields: vec!["decisions"],
                        rows: vec![
                            counts("penalties", "行政处罚", &[s.penalties.decisions]),
                            counts("enforcement", "行政强制", &[s.enforcement.decisions]),
                        ],
                    },
                    Block {
                        heading: "第二十条第（八）项",
                        columns: vec![ITEM, "本年收费金额（单位：万元）"],
                        fields: vec!["amount_fen"],
                        rows: vec![BlockRow {
                            key: "fees",
                            label: "行政事业性收费",
                            figures: vec![Figure::Fen(s.fees.amount_fen)],
                        }],
                    },
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_figure_of_a_block_is_at_the_json_path_its_field_names() {
        let mut n = 0;
        let mut next = || {
            n += 1;
            n * 1000 + 7
        };
        let y2019 = SectionTwo2019 {
            rules: PublicationFigures { new_made: next(), new_published: next(), total_published: next() },
            normative_documents: PublicationFigures {
                new_made: next(),
                new_published: next(),
                total_published: next(),
            },
            licensing: ItemFigures { previous_count: next(), change: next(), decisions: next() },
            other_services: ItemFigures { previous_count: next(), change: next(), decisions: next() },
            penalties: ItemFigures { previous_count: next(), change: next(), decisions: next() },
            enforcement: ItemFigures { previous_count: next(), change: next(), decisions: next() },
            fees: FeeItemFigures { previous_count: next(), change: next() },
            procurement: ProcurementFigures { items: next(), total_amount_fen: next() },
        };
        let y2021 = SectionTwo2021 {
            rules: DocumentFigures { issued: next(), repealed: next(), in_force: next() },
            normative_documents: DocumentFigures { issued: next(), repealed: next(), in_force: next() },
            licensing: DecisionFigures { decisions: next() },
            penalties: DecisionFigures { decisions: next() },
            enforcement: DecisionFigures { decisions: next() },
            fees: FeeAmount { amount_fen: next() },
        };
        for section in [SectionTwo::Y2019(y2019), SectionTwo::Y2021(y2021)] {
            let json = serde_json::to_value(&section).unwrap();
            let mut seen = 0;
            for block in section.blocks() {
                assert_eq!(block.fields.len() + 1, block.columns.len(), "{}", block.heading);
                for row in &block.rows {
                    for (field, figure) in block.fields.iter().zip(&row.figures) {
                        let value = match figure {
                            Figure::Count(v) | Figure::Fen(v) => *v,
                        };
                        assert_eq!(json[row.key][*field], serde_json::json!(value), "{}.{field}", row.key);
                        seen += 1;
                    }
                }
            }
            let leaves: usize = json.as_object().unwrap().values().filter_map(|v| v.as_object()).map(|o| o.len()).sum();
            assert_eq!(seen, leaves, "every field of the section is in a block");
        }
    }

    #[test]
    fn amounts_in_fen_print_exactly_in_wan_yuan() {
        assert_eq!(wan_yuan(0), "0");
        assert_eq!(wan_yuan(1_000_000), "1");
        assert_eq!(wan_yuan(123_450_000), "123.45");
        assert_eq!(wan_yuan(1), "0.000001");
        assert_eq!(wan_yuan(-2_500_000), "-2.5");
    }

    #[test]
    fn negative_counts_are_refused_but_a_negative_change_is_allowed() {
        let mut s = SectionTwo2019::default();
        s.licensing.change = -3;
        assert!(SectionTwo::Y2019(s).validate().is_ok());
        s.penalties.decisions = -1;
        let err = SectionTwo::Y2019(s).validate().unwrap_err();
        assert!(matches!(err, ReportError::InvalidSectionTwo { field: "penalties.decisions", value: -1 }));
        let mut t = SectionTwo2021::default();
        t.fees.amount_fen = -5;
        assert!(SectionTwo::Y2021(t).validate().is_err());
    }

    #[test]
    fn section_two_serialises_with_a_template_tag() {
        let mut s = SectionTwo2021::default();
        s.fees.amount_fen = 1_230_000;
        let json = serde_json::to_value(SectionTwo::Y2021(s)).unwrap();
        assert_eq!(json["template"], "2021");
        assert_eq!(json["fees"]["amount_fen"], 1_230_000);
        let back: SectionTwo = serde_json::from_value(json).unwrap();
        assert_eq!(back, SectionTwo::Y2021(s));
    }

    #[test]
    fn blocks_follow_the_official_forms() {
        let y2019 = SectionTwo::Y2019(SectionTwo2019::default()).blocks();
        assert_eq!(y2019.len(), 5);
        assert!(y2019.iter().all(|b| b.rows.iter().all(|r| r.figures.len() + 1 == b.columns.len())));
        let y2021 = SectionTwo::Y2021(SectionTwo2021::default()).blocks();
        assert_eq!(y2021.len(), 4);
        assert!(y2021.iter().all(|b| b.rows.iter().all(|r| r.figures.len() + 1 == b.columns.len())));
    }
}
