//! Work a write transaction runs last, just before it commits: the change events, whose
//! per-portal numbering locks the portal's sequence row. Taken last, that lock is held only
//! until commit and never before another lock the transaction takes (advisory family or
//! association locks), so two writers cannot deadlock over it.

use super::Conn;
use crate::error::ApiError;
use std::cell::RefCell;

type Work = Box<dyn FnOnce(&mut Conn) -> Result<(), ApiError>>;

thread_local! {
    /// The current write transaction's deferred work (`None`: no write transaction here).
    static DEFERRED: RefCell<Option<Vec<Work>>> = const { RefCell::new(None) };
}

/// Runs `work` just before the current write transaction commits, or now when there is none.
pub fn at_commit(
    conn: &mut Conn,
    work: impl FnOnce(&mut Conn) -> Result<(), ApiError> + 'static,
) -> Result<(), ApiError> {
    let work: Work = Box::new(work);
    let now = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(list) => {
            list.push(work);
            None
        }
        None => Some(work),
    });
    match now {
        Some(work) => work(conn),
        None => Ok(()),
    }
}

/// Clears the deferred work when the outermost write transaction ends, however it ends (an
/// error or a panic discards what was deferred).
struct Outer(bool);

impl Drop for Outer {
    fn drop(&mut self) {
        if self.0 {
            DEFERRED.with(|d| *d.borrow_mut() = None);
        }
    }
}

/// Runs `f` as a write transaction's body: afterwards, if it succeeded, the work it deferred.
pub(super) fn body<T>(
    conn: &mut Conn,
    f: impl FnOnce(&mut Conn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let outer = DEFERRED.with(|d| {
        let mut d = d.borrow_mut();
        d.is_none().then(|| *d = Some(Vec::new())).is_some()
    });
    let _guard = Outer(outer);
    let value = f(conn)?;
    if outer {
        let work = DEFERRED.with(|d| d.borrow_mut().replace(Vec::new()).unwrap_or_default());
        for w in work {
            w(conn)?;
        }
    }
    Ok(value)
}
