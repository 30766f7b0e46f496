//! A small order-preserving parallel map on scoped threads (charts are
//! rendered side by side; each result lands at its item's index, so the
//! output does not depend on scheduling).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use: the machine's parallelism, at most `jobs`.
fn workers(jobs: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs)
}

/// `items.iter().map(f).collect()`, run on up to as many threads as the
/// machine has cores. Items are taken in order, so put the longest first.
/// A panic in `f` is passed on to the caller, as in the sequential map.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let n = workers(items.len());
    if n <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            done.push((i, f(item)));
        }
        done
    };
    let mut slots: Vec<Option<R>> = items.iter().map(|_| None).collect();
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
        let mine = work();
        for (i, r) in mine {
            slots[i] = Some(r);
        }
        for h in helpers {
            match h.join() {
                Ok(done) => {
                    for (i, r) in done {
                        slots[i] = Some(r);
                    }
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    // every index below items.len() was taken by exactly one thread
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_keep_the_order_of_the_items() {
        let items: Vec<u64> = (0..100).collect();
        let out = super::map(&items, |x| {
            // uneven work, so that threads finish out of order
            std::thread::sleep(std::time::Duration::from_micros(x % 7 * 100));
            x * 2
        });
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u64], |x| *x).is_empty());
    }
}
