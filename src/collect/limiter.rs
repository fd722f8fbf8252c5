//! Bounded concurrency: at most `overall` calls in flight, and at most `per_account` for any
//! one account (so that one account's slow or throttling endpoint cannot starve the others,
//! and no account's API quota sees more than a few parallel calls).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

#[derive(Debug, Clone)]
pub struct Limiter {
    overall: Arc<Semaphore>,
    per_account: usize,
    accounts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// How many tasks of one phase (accounts, trails, buckets, keys) [`Limiter::all`] keeps
    /// started at once.
    tasks_at_once: usize,
}

impl Limiter {
    pub fn new(overall: usize, per_account: usize) -> Limiter {
        let overall = overall.max(1);
        Limiter {
            overall: Arc::new(Semaphore::new(overall)),
            per_account: per_account.max(1),
            accounts: Arc::default(),
            // Twice the calls in flight: enough ready work to keep every call slot busy while
            // some tasks wait on answers they depend on.
            tasks_at_once: overall * 2,
        }
    }

    /// Runs the tasks of one phase, a few at a time, and answers in their order. A task's
    /// future holds the memory of every call it will make from the moment it exists, so
    /// starting all of them at once (1,000 accounts, each with its Regions' reads) held
    /// hundreds of megabytes for calls that waited their turn in the limiter anyway.
    pub async fn all<T>(&self, tasks: impl IntoIterator<Item = impl Future<Output = T>>) -> Vec<T> {
        use futures::StreamExt;
        futures::stream::iter(tasks).buffered(self.tasks_at_once).collect().await
    }

    fn account(&self, account: &str) -> Arc<Semaphore> {
        let mut accounts = self.accounts.lock().expect("the limiter lock is never poisoned");
        accounts.entry(account.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(self.per_account))).clone()
    }

    /// Runs one API call within both limits.
    pub async fn run<T>(&self, account: &str, call: impl Future<Output = T>) -> T {
        let account = self.account(account);
        let _account = account.acquire().await.expect("semaphores are never closed");
        let _overall = self.overall.acquire().await.expect("semaphores are never closed");
        call.await
    }
}
