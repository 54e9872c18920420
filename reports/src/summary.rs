//! Totals over a report or a model, shared by every renderer.

use crate::{ModelReport, Outcome, Report};

/// Totals over a report (or one model of it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// Models reported.
    pub models: usize,
    /// Law verdicts.
    pub laws: LawCounts,
    /// Harness runs (distinct configurations).
    pub runs: usize,
    /// Schedules run, over all runs and shards.
    pub schedules: u64,
    /// Steps executed, over all runs and shards.
    pub steps: u64,
    /// Harness findings.
    pub findings: usize,
    /// Machine time spent in harness runs, in microseconds.
    pub harness_us: u64,
}

/// How many laws got each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LawCounts {
    /// Passed.
    pub passed: usize,
    /// Vacuous: the premise held too rarely.
    pub vacuous: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
}

impl LawCounts {
    /// All laws reported.
    #[must_use]
    pub const fn total(&self) -> usize {
        self.passed + self.vacuous + self.skipped + self.failed
    }
}

/// The overall verdict of a report or a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Nothing was checked.
    Empty,
    /// Everything checked held.
    Passed,
    /// Nothing failed, but some law was vacuous.
    Vacuous,
    /// A law failed or the harness found something.
    Failed,
}

impl Status {
    /// A lowercase word for the status: `passed`, `vacuous`, `failed`, `empty`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::Passed => "passed",
            Self::Vacuous => "vacuous",
            Self::Failed => "failed",
        }
    }
}

impl Summary {
    fn add_model(&mut self, model: &ModelReport) {
        self.models += 1;
        for law in model.laws.values() {
            let count = match law.outcome {
                Outcome::Passed => &mut self.laws.passed,
                Outcome::Vacuous => &mut self.laws.vacuous,
                Outcome::Skipped { .. } => &mut self.laws.skipped,
                Outcome::Failed { .. } => &mut self.laws.failed,
            };
            *count += 1;
        }
        for run in model.runs.values() {
            self.runs += 1;
            self.schedules += run.schedules();
            self.steps += run.steps();
            self.findings += run.findings().count();
            self.harness_us += run.duration_us();
        }
    }

    /// True when no law failed and the harness found nothing (vacuous laws do not fail a run,
    /// but see [`Summary::status`]).
    #[must_use]
    pub const fn passed(&self) -> bool {
        self.laws.failed == 0 && self.findings == 0
    }

    /// Schedules per second of machine time, or `None` when no time was measured.
    #[must_use]
    pub fn throughput(&self) -> Option<f64> {
        crate::schema::per_second(self.schedules, self.harness_us)
    }

    /// The overall verdict.
    #[must_use]
    pub const fn status(&self) -> Status {
        if !self.passed() {
            Status::Failed
        } else if self.laws.vacuous > 0 {
            Status::Vacuous
        } else if self.laws.passed == 0 && self.runs == 0 {
            Status::Empty
        } else {
            Status::Passed
        }
    }
}

impl Report {
    /// Totals over the whole report.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for model in self.models.values() {
            summary.add_model(model);
        }
        summary
    }
}

impl ModelReport {
    /// Totals over this model.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        summary.add_model(self);
        summary
    }
}
