//! What every use case runs in: who acts ([`Actor`]) and what "now" is ([`Now`]: the instant,
//! today's date in China, the calendar, the statutory rules, the letter templates). [`Context`]
//! holds the long-lived parts; the HTTP server and the command line share it.

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, RwLock};

use chrono::{NaiveDate, NaiveDateTime, Utc};

use super::{ServiceError, ServiceResult};
use crate::domain::calendar::Calendar;
use crate::domain::china_date;
use crate::domain::clock::ClockRules;
use crate::domain::ids::{AgencyId, UserId};
use crate::domain::letters::LetterPolicy;
use crate::domain::lifecycle::Who;
use crate::domain::Role;
use crate::notify::letters::Letters;
use crate::storage::Db;

/// The authenticated caller of a use case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub name: String,
    pub role: Role,
    pub agency_id: Option<AgencyId>,
    /// Path prefix of the agencies the caller sees (`/1/4/`); `None` sees every agency.
    pub scope: Option<String>,
}

impl Actor {
    /// The command line acting on the database directly: an administrator who sees everything.
    pub fn system() -> Self {
        Self { user_id: UserId::new(0), name: "命令行".into(), role: Role::Admin, agency_id: None, scope: None }
    }

    /// Whether an agency with materialised `path` is the caller's agency or one of its descendants.
    pub fn sees(&self, agency_path: &str) -> bool {
        self.scope.as_deref().is_none_or(|scope| agency_path.starts_with(scope))
    }

    /// Require `allowed`, or fail with 403 naming `action`.
    ///
    /// # Errors
    /// `Forbidden` when the role does not allow it.
    pub fn require(&self, allowed: bool, action: &str) -> ServiceResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!("“{}”角色不能{action}", self.role.label())))
        }
    }

    /// The actor as the lifecycle rules see it.
    pub fn who(&self) -> Who {
        Who { user_id: Some(self.user_id), role: self.role }
    }
}

/// What "now" is for a use case: the instant, today's date in China, the calendar and the rules.
#[derive(Clone, Copy, Debug)]
pub struct Now<'a> {
    pub at: NaiveDateTime,
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub rules: &'a ClockRules,
    /// The letter templates, for the letters queued in the outbox.
    pub letters: &'a Letters,
    /// How letters are numbered and when they are sent.
    pub letter_policy: &'a LetterPolicy,
}

/// [`Now`] owned, so it can move into a blocking database task.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub at: NaiveDateTime,
    pub today: NaiveDate,
    pub calendar: Arc<Calendar>,
    pub rules: ClockRules,
    pub letters: Arc<Letters>,
    pub letter_policy: Arc<LetterPolicy>,
}

impl Snapshot {
    /// The borrowed form the services take.
    pub fn now(&self) -> Now<'_> {
        Now {
            at: self.at,
            today: self.today,
            calendar: &self.calendar,
            rules: &self.rules,
            letters: &self.letters,
            letter_policy: &self.letter_policy,
        }
    }
}

/// The long-lived context of the use cases: the database, the calendar in force (replaced when
/// an administrator changes it), the rules and the letter templates.
pub struct Context {
    pub db: Db,
    calendar: RwLock<Arc<Calendar>>,
    pub rules: ClockRules,
    /// The id of the latest calendar change loaded (instances reload when the database has newer).
    pub calendar_change: AtomicI64,
    pub letters: Arc<Letters>,
    pub letter_policy: Arc<LetterPolicy>,
}

impl Context {
    pub fn new(db: Db, calendar: Calendar, calendar_change: i64, rules: ClockRules, letters: Letters) -> Self {
        Self {
            db,
            calendar: RwLock::new(Arc::new(calendar)),
            rules,
            calendar_change: AtomicI64::new(calendar_change),
            letters: Arc::new(letters),
            letter_policy: Arc::new(LetterPolicy::default()),
        }
    }

    /// Number and send letters by `policy`.
    pub fn with_letter_policy(mut self, policy: LetterPolicy) -> Self {
        self.letter_policy = Arc::new(policy);
        self
    }

    /// The instant, today's date, the calendar and the rules for one use case.
    pub fn snapshot(&self) -> Snapshot {
        let at = self.now();
        Snapshot {
            at,
            today: china_date(at),
            calendar: self.calendar(),
            rules: self.rules,
            letters: self.letters.clone(),
            letter_policy: self.letter_policy.clone(),
        }
    }

    /// [`Context::snapshot`] as of another day (the command line's `--today`).
    pub fn snapshot_on(&self, today: Option<NaiveDate>) -> Snapshot {
        let mut snapshot = self.snapshot();
        if let Some(today) = today {
            snapshot.today = today;
        }
        snapshot
    }

    /// The calendar in force (a cheap shared copy).
    pub fn calendar(&self) -> Arc<Calendar> {
        match self.calendar.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replace the calendar in force.
    pub fn set_calendar(&self, calendar: Calendar) {
        let mut guard = match self.calendar.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(calendar);
    }

    /// The current instant (UTC), to the microsecond: what both databases store, so that a row
    /// built from it reads back the same.
    pub fn now(&self) -> NaiveDateTime {
        chrono::SubsecRound::trunc_subsecs(Utc::now().naive_utc(), 6)
    }

    /// Today's date in China.
    pub fn today(&self) -> NaiveDate {
        china_date(self.now())
    }
}
