//! The window in front of the ordered fold: workers deliver each piece's
//! message states in any order, and they are folded in log order.
//!
//! A worker waits before taking a piece more than a window ahead of the next
//! one to fold ([`Folder::admit`]), so at most a window of pieces' states
//! wait at any time. Whichever worker delivers the next piece folds what is
//! ready; the recipients the fold lets go are resolved outside its lock.

use std::sync::atomic::Ordering;
use std::sync::{Condvar, Mutex};

use super::{Batch, Fold, Messages, Ordered, Outcomes};
use crate::time::Micros;

/// Folds the message states of the pieces of one input in order, as the
/// workers deliver them in any order. A worker waits before taking a piece
/// more than a window ahead of the next one to fold, so at most a window
/// of pieces' states wait at any time.
pub struct Folder {
    pending: Mutex<Pending>,
    /// Signalled when `next` moves on.
    moved: Condvar,
    fold: Mutex<Fold>,
    /// Where settled recipients' states go, resolved outside the fold's lock.
    ordered: Mutex<Ordered>,
    window: u64,
    /// Set when a worker panics: nobody waits for its piece any more (the
    /// panic is passed on when the workers are done).
    aborted: std::sync::atomic::AtomicBool,
}

/// Wakes the workers waiting in [`Folder::admit`] if this one panics:
/// hold one in every worker ([`Folder::guard`]).
pub struct AbortOnPanic<'a>(&'a Folder);

impl Drop for AbortOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.aborted.store(true, Ordering::SeqCst);
            let _pending = self.0.pending.lock();
            self.0.moved.notify_all();
        }
    }
}

/// Pieces delivered but not folded yet.
#[derive(Default)]
struct Pending {
    /// The next piece to fold.
    next: u64,
    waiting: std::collections::BTreeMap<u64, Messages>,
}

impl Folder {
    /// A folder with the settle time `settle` that lets workers run at most
    /// `window` pieces ahead of the next piece to fold.
    pub fn new(settle: Micros, window: u64) -> Folder {
        Folder {
            pending: Mutex::new(Pending::default()),
            moved: Condvar::new(),
            fold: Mutex::new(Fold::new(settle)),
            ordered: Mutex::new(Ordered::default()),
            window: window.max(1),
            aborted: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// A guard for one worker: if the worker panics, the others stop
    /// waiting for its piece.
    pub fn guard(&self) -> AbortOnPanic<'_> {
        AbortOnPanic(self)
    }

    /// A folder whose outcomes keep no suppression list (no `recipients`
    /// report is written): see [`Outcomes::without_suppression`].
    pub fn without_suppression(self) -> Folder {
        let ordered = self.ordered.into_inner().unwrap_or_else(|e| e.into_inner());
        Folder { ordered: Mutex::new(ordered.without_suppression()), ..self }
    }

    /// A folder whose outcomes sum the recipients per sender: see
    /// [`Outcomes::with_senders`].
    pub fn with_senders(self) -> Folder {
        let ordered = self.ordered.into_inner().unwrap_or_else(|e| e.into_inner());
        Folder { ordered: Mutex::new(ordered.with_senders()), ..self }
    }

    /// Waits until piece `seq` is within the window.
    pub fn admit(&self, seq: u64) {
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        while seq >= pending.next + self.window && !self.aborted.load(Ordering::SeqCst) {
            pending = self.moved.wait(pending).expect("no worker panics holding it");
        }
    }

    /// Hands over the states of piece `seq`, and folds whatever is ready
    /// unless another worker is folding.
    pub fn deliver(&self, seq: u64, piece: Messages) {
        self.pending.lock().expect("no worker panics holding it").waiting.insert(seq, piece);
        while let Ok(mut fold) = self.fold.try_lock() {
            let mut batches = Vec::new();
            while let Some(piece) = self.take_next() {
                batches.extend(fold.add(piece));
            }
            drop(fold);
            // Another worker can fold meanwhile.
            for batch in batches {
                self.settle(batch);
            }
            // A piece delivered while this worker held the fold found it
            // busy: fold it now, unless another worker took over.
            let pending = self.pending.lock().expect("no worker panics holding it");
            if !pending.waiting.contains_key(&pending.next) {
                break;
            }
        }
    }

    /// Resolves a batch of settled recipients and hands their states over,
    /// in the order of the sweeps.
    fn settle(&self, batch: Batch) {
        let states = batch.settled.resolve();
        self.ordered.lock().expect("no worker panics holding it").add(batch.ticket, states);
    }

    fn take_next(&self) -> Option<Messages> {
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        let next = pending.next;
        let piece = pending.waiting.remove(&next)?;
        pending.next += 1;
        self.moved.notify_all();
        Some(piece)
    }

    /// After every piece of an input: folds what is left (in order, pieces
    /// lost to read errors skipped) and starts the next input at piece 0.
    pub fn end_input(&self) {
        let mut fold = self.fold.lock().expect("no worker panics holding it");
        let mut pending = self.pending.lock().expect("no worker panics holding it");
        let batches: Vec<Batch> =
            std::mem::take(&mut pending.waiting).into_values().filter_map(|p| fold.add(p)).collect();
        fold.next_input();
        pending.next = 0;
        drop((fold, pending));
        for batch in batches {
            self.settle(batch);
        }
    }

    /// Every recipient's final outcome, when every input has been folded.
    pub fn finish(self) -> Outcomes {
        let fold = self.fold.into_inner().expect("no worker panicked");
        let peak = fold.peak_held();
        let last = fold.finish();
        let volume = last.settled.received;
        let mut ordered = self.ordered.into_inner().expect("no worker panicked");
        ordered.add(last.ticket, last.settled.resolve());
        let mut outcomes = ordered.finish(peak);
        outcomes.volume = volume;
        outcomes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::messages::SETTLE;

    /// Memory stays at a window of pieces: a piece `window` or more ahead
    /// of the next one to fold is admitted only once that one is delivered.
    /// (Should `admit` not wait, the spawned thread would have sent before
    /// the main thread looks; when it waits, the look cannot fail.)
    #[test]
    fn a_piece_beyond_the_window_waits_for_the_next_to_be_delivered() {
        let folder = Folder::new(SETTLE, 2);
        folder.admit(0);
        folder.admit(1);
        let (sent, received) = std::sync::mpsc::channel();
        std::thread::scope(|s| {
            let folder = &folder;
            s.spawn(move || {
                folder.admit(2);
                sent.send(()).expect("the test waits for it");
            });
            std::thread::sleep(std::time::Duration::from_millis(200));
            assert!(received.try_recv().is_err(), "piece 2 was admitted before piece 0 was delivered");
            folder.deliver(0, Messages::new());
            received.recv().expect("piece 2 is admitted once piece 0 is delivered");
        });
    }

    /// A folder without the suppression list gives the same per-domain
    /// sums and lists no address.
    #[test]
    fn a_folder_without_suppression_lists_no_address() {
        use crate::messages::tests::{BOUNCED, DELIVERED, ev};
        let outcomes = |folder: Folder| {
            let mut piece = Messages::new();
            piece.record(&ev("A", "a@x.example", BOUNCED, Some(5)).attempt(), 0);
            piece.record(&ev("A", "b@x.example", DELIVERED, Some(6)).attempt(), 1);
            folder.deliver(0, piece);
            folder.finish()
        };
        let listed = outcomes(Folder::new(SETTLE, 1));
        let unlisted = outcomes(Folder::new(SETTLE, 1).without_suppression());
        assert_eq!(listed.recipients, 2);
        assert_eq!(listed.domain_rows(), unlisted.domain_rows());
        assert_eq!(listed.suppressed().len(), 1);
        assert!(unlisted.suppressed().is_empty());
    }

    /// See f055a60: a worker waiting for the fold window waited forever
    /// when the worker it waited for panicked.
    #[test]
    fn a_panicking_worker_wakes_the_waiting_ones() {
        let folder = Folder::new(SETTLE, 1);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| folder.admit(5));
            let worker = s.spawn(|| {
                let _abort = folder.guard();
                panic!("a worker panics (this test's own panic)");
            });
            assert!(worker.join().is_err());
            waiter.join().expect("the waiting worker returns");
        });
    }
}
