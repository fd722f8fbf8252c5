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
}

impl Limiter {
    pub fn new(overall: usize, per_account: usize) -> Limiter {
        Limiter { overall: Arc::new(Semaphore::new(overall.max(1))), per_account: per_account.max(1), accounts: Arc::default() }
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
