//! Checkers: what a run's history proves (filled by the checkers work).
