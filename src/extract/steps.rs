//! Step counting for the extractor's linearity tests.
//!
//! Every loop of the extractor whose trip count is not bounded by a
//! constant (a scan over the tokens, mentions or history of a sentence,
//! a line or the article) calls [`step`] once per iteration. In test
//! builds the steps are summed per thread, so that a test can check that
//! twice the input costs about twice the steps, without timing anything;
//! in other builds [`step`] does nothing and compiles away.

#[cfg(test)]
thread_local! {
    static STEPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `n` iterations of an inner loop (test builds only).
#[inline(always)]
pub(crate) fn step(n: usize) {
    #[cfg(test)]
    STEPS.with(|s| s.set(s.get() + n as u64));
    #[cfg(not(test))]
    let _ = n;
}

/// The steps counted on this thread since the last call, and a reset.
#[cfg(test)]
pub(crate) fn take() -> u64 {
    STEPS.with(|s| s.replace(0))
}
