//! `--shard auto`: the shard a cluster engine gives this process, read from its environment.
//!
//! - Slurm job arrays: `SLURM_ARRAY_TASK_ID` with `SLURM_ARRAY_TASK_MIN`, `_MAX` and `_COUNT`
//!   (the array must be contiguous, `--array=0-7` or `1-8`, not `0-14:2`).
//! - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (from 0), with the number of completions
//!   from `--shard-count` or `CRDT_SHARD_COUNT` (Kubernetes does not export it).
//! - Anything else (a CI matrix): `CRDT_SHARD=k/n`, as `--shard k/n` takes it.
//!
//! When several are set they must name the same shard; when none is, `--shard auto` is an
//! error.

use crdt_harness::runner::Shard;

/// What `--shard` was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShardArg {
    /// `k/n`.
    Fixed(Shard),
    /// `auto`: from the environment.
    Auto,
}

/// Parses `--shard`: `auto` or `k/n`.
pub(crate) fn parse(s: &str) -> Result<ShardArg, String> {
    if s.trim() == "auto" {
        return Ok(ShardArg::Auto);
    }
    s.parse::<Shard>()
        .map(ShardArg::Fixed)
        .map_err(|e| format!("{e}, or auto"))
}

impl ShardArg {
    /// The shard to run: `--shard k/n` as given, or `auto` read through `env` (a variable's
    /// value by name); `count` is `--shard-count`.
    pub(crate) fn resolve(
        self,
        count: Option<u32>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Shard, String> {
        match self {
            ShardArg::Fixed(shard) if count.is_none() => Ok(shard),
            ShardArg::Fixed(_) => Err("--shard-count goes with --shard auto".into()),
            ShardArg::Auto => from_environment(count, env),
        }
    }
}

fn number(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<Option<u32>, String> {
    env(name)
        .map(|v| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("{name}={v:?} is not a whole number"))
        })
        .transpose()
}

fn required(env: &dyn Fn(&str) -> Option<String>, name: &str, by: &str) -> Result<u32, String> {
    number(env, name)?.ok_or_else(|| format!("{by} is set but {name} is not"))
}

/// A Slurm array task's shard.
fn slurm(env: &dyn Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
    const ID: &str = "SLURM_ARRAY_TASK_ID";
    let Some(id) = number(env, ID)? else {
        return Ok(None);
    };
    let min = required(env, "SLURM_ARRAY_TASK_MIN", ID)?;
    let max = required(env, "SLURM_ARRAY_TASK_MAX", ID)?;
    let count = required(env, "SLURM_ARRAY_TASK_COUNT", ID)?;
    if max < min || u64::from(max - min) + 1 != u64::from(count) {
        return Err(format!(
            "the Slurm array {min}-{max} has {count} tasks: --shard auto needs a contiguous \
             array such as --array=0-{}",
            count.saturating_sub(1)
        ));
    }
    if !(min..=max).contains(&id) {
        return Err(format!(
            "SLURM_ARRAY_TASK_ID={id} is outside the array {min}-{max}"
        ));
    }
    Ok(Some(Shard {
        index: id - min,
        count,
    }))
}

/// A Kubernetes Indexed Job pod's shard.
fn kubernetes(
    env: &dyn Fn(&str) -> Option<String>,
    flag: Option<u32>,
) -> Result<Option<Shard>, String> {
    const INDEX: &str = "JOB_COMPLETION_INDEX";
    let Some(index) = number(env, INDEX)? else {
        return Ok(None);
    };
    let count = match (flag, number(env, "CRDT_SHARD_COUNT")?) {
        (Some(a), Some(b)) if a != b => {
            return Err(format!(
                "--shard-count {a} and CRDT_SHARD_COUNT={b} disagree"
            ));
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Err(format!(
                "{INDEX} is set but not the number of completions: give --shard-count or \
                 CRDT_SHARD_COUNT"
            ));
        }
    };
    if index >= count {
        return Err(format!(
            "{INDEX}={index} is not below the {count} completions"
        ));
    }
    Ok(Some(Shard { index, count }))
}

fn from_environment(
    count: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Shard, String> {
    if count == Some(0) {
        return Err("--shard-count must be at least 1".into());
    }
    let mut found: Vec<(String, Shard)> = Vec::new();
    if let Some(shard) = slurm(env)? {
        found.push(("the Slurm array".into(), shard));
    }
    if let Some(shard) = kubernetes(env, count)? {
        found.push(("JOB_COMPLETION_INDEX".into(), shard));
    }
    if let Some(value) = env("CRDT_SHARD") {
        let shard = value
            .parse::<Shard>()
            .map_err(|e| format!("CRDT_SHARD: {e}"))?;
        found.push(("CRDT_SHARD".into(), shard));
    }
    if let (Some(n), Some((by, shard))) = (count, found.first())
        && shard.count != n
    {
        return Err(format!(
            "--shard-count {n} disagrees with {by} (shard {shard})"
        ));
    }
    let Some((by, shard)) = found.first().cloned() else {
        return Err(
            "--shard auto found no shard: set SLURM_ARRAY_TASK_ID (a Slurm array), \
                    JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) or CRDT_SHARD=k/n"
                .into(),
        );
    };
    if let Some((other, theirs)) = found.iter().find(|(_, s)| *s != shard) {
        return Err(format!(
            "--shard auto: {by} says shard {shard} but {other} says {theirs}"
        ));
    }
    Ok(shard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(vars: &[(&str, &str)], count: Option<u32>) -> Result<Shard, String> {
        let env = |name: &str| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        };
        ShardArg::Auto.resolve(count, &env)
    }

    fn shard(k: u32, n: u32) -> Shard {
        Shard {
            index: k - 1,
            count: n,
        }
    }

    const SLURM_1_BASED: [(&str, &str); 4] = [
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
        ("SLURM_ARRAY_TASK_MAX", "4"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
    ];

    #[test]
    fn each_engine_names_its_shard() {
        assert_eq!(auto(&SLURM_1_BASED, None), Ok(shard(3, 4)));
        let zero_based = [
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "7"),
            ("SLURM_ARRAY_TASK_COUNT", "8"),
        ];
        assert_eq!(auto(&zero_based, None), Ok(shard(1, 8)));
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "5")], Some(6)),
            Ok(shard(6, 6))
        );
        assert_eq!(
            auto(
                &[("JOB_COMPLETION_INDEX", "0"), ("CRDT_SHARD_COUNT", "3")],
                None
            ),
            Ok(shard(1, 3))
        );
        assert_eq!(auto(&[("CRDT_SHARD", "2/5")], None), Ok(shard(2, 5)));
    }

    #[test]
    fn engines_that_agree_are_fine_and_disagreement_is_an_error() {
        let mut both = SLURM_1_BASED.to_vec();
        both.push(("CRDT_SHARD", "3/4"));
        assert_eq!(auto(&both, None), Ok(shard(3, 4)));
        both.pop();
        both.push(("CRDT_SHARD", "2/4"));
        let e = auto(&both, None).unwrap_err();
        assert!(e.contains("3/4") && e.contains("2/4"), "{e}");
        assert!(auto(&SLURM_1_BASED, Some(5)).is_err());
        assert!(
            auto(
                &[("JOB_COMPLETION_INDEX", "1"), ("CRDT_SHARD_COUNT", "3")],
                Some(4)
            )
            .is_err()
        );
    }

    #[test]
    fn missing_or_malformed_settings_are_errors() {
        let none = auto(&[], None).unwrap_err();
        assert!(none.contains("found no shard"), "{none}");
        assert!(auto(&[("JOB_COMPLETION_INDEX", "1")], None).is_err());
        assert!(auto(&[("JOB_COMPLETION_INDEX", "4")], Some(4)).is_err());
        assert!(auto(&[("SLURM_ARRAY_TASK_ID", "1")], None).is_err());
        let strided = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "0"),
            ("SLURM_ARRAY_TASK_MAX", "6"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert!(auto(&strided, None).unwrap_err().contains("contiguous"));
        assert!(auto(&[("CRDT_SHARD", "5/4")], None).is_err());
        assert!(auto(&[("CRDT_SHARD", "x")], None).is_err());
        assert_eq!(
            ShardArg::Fixed(shard(1, 2)).resolve(Some(2), &|_| None),
            Err("--shard-count goes with --shard auto".into())
        );
    }

    #[test]
    fn parse_takes_auto_or_k_of_n() {
        assert_eq!(parse("auto"), Ok(ShardArg::Auto));
        assert_eq!(parse("2/3"), Ok(ShardArg::Fixed(shard(2, 3))));
        assert!(parse("automatic").is_err());
    }
}
