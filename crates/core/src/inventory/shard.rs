//! One part of an organization (`collect --org --shard K/N`): which accounts belong to which
//! part. An account's part depends only on its id and N, so the parts are disjoint, together
//! cover the organization, and an account keeps its part when others join or leave.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Part `index` of `count` (1-based, as written on the command line: `2/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether `account_id` is in this part.
    pub fn contains(&self, account_id: &str) -> bool {
        part_of(account_id, self.count) == self.index
    }
}

/// The part (1-based) of `count` that holds `account_id`: the account id modulo `count`, plus
/// one. AWS account ids are twelve digits, in effect random, so the parts come out even; a
/// user can work out an account's part by hand. An id that is not a number (never one AWS
/// issues) is hashed instead (FNV-1a), so that every id still has exactly one part.
pub fn part_of(account_id: &str, count: u32) -> u32 {
    let count = u64::from(count.max(1));
    let n = account_id
        .parse::<u64>()
        .unwrap_or_else(|_| account_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)));
    u32::try_from(n % count).expect("a remainder of a u32 fits a u32") + 1
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N (the K-th of N parts), e.g. 1/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_account_is_in_exactly_one_part_and_the_parts_are_even() {
        let ids: Vec<String> = (0..10_000u64).map(|i| format!("{:012}", 100_000_000_000 + i * 7_919)).collect();
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0usize; 4];
        for id in &ids {
            let holders: Vec<&Shard> = shards.iter().filter(|s| s.contains(id)).collect();
            assert_eq!(holders.len(), 1, "{id}");
            sizes[holders[0].index as usize - 1] += 1;
        }
        assert!(sizes.iter().all(|&n| (2_400..=2_600).contains(&n)), "{sizes:?}");
        assert_eq!(part_of("not-a-number", 3), part_of("not-a-number", 3));
    }

    #[test]
    fn shards_parse_as_k_of_n_and_refuse_anything_else() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!(Shard { index: 2, count: 8 }.to_string(), "2/8");
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", ""] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("write K/N"), "{bad}: {err}");
        }
    }
}
