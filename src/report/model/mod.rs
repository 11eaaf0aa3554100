//! The table model of the annual report: templates, columns, rows, the section-three and section-four
//! tables built from aggregated counts, and the official layout of their header and label cells that
//! every renderer draws from.

pub use crate::domain::types::AppealKind;
use crate::domain::types::{ApplicantCategory, Outcome};

use super::section_two::{AgencyRef, SectionTwo, SectionTwoState, SectionTwoStatus};

mod assembly;
mod layout;
mod section_four;
mod section_three;
mod vocabulary;

pub use assembly::*;
pub use layout::*;
pub use section_four::*;
pub use section_three::*;
pub use vocabulary::*;
