//! The cluster deployments in `deploy/`: the Kubernetes manifests parse and say what running a
//! campaign needs (an Indexed Job whose shard count matches its completions, reports on one
//! shared volume, a merge over the same volume), and the Slurm scripts queue the merge after
//! the whole array.

use std::path::PathBuf;

use serde_json::Value;

fn deploy(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../deploy")
        .join(file)
}

fn manifest(file: &str) -> Value {
    let text = std::fs::read_to_string(deploy(file)).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The pod's one container and the command line its shell runs.
fn container(job: &Value) -> (&Value, String) {
    let containers = job["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 1);
    let c = &containers[0];
    let script = c["args"][0].as_str().unwrap().to_string();
    assert_eq!(c["command"], serde_json::json!(["/bin/sh", "-c"]));
    (c, script)
}

/// The claim the pod mounts at `/reports`.
fn reports_claim(job: &Value) -> String {
    let (c, _) = container(job);
    let mount = c["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["mountPath"] == "/reports")
        .expect("the reports volume is mounted at /reports");
    let volume = job["spec"]["template"]["spec"]["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .expect("the mounted volume is declared");
    volume["persistentVolumeClaim"]["claimName"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn the_campaign_is_an_indexed_job_whose_shard_count_is_its_completions() {
    let job = manifest("kubernetes/campaign-job.yaml");
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["kind"], "Job");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["template"]["spec"]["restartPolicy"], "Never");
    let completions = spec["completions"].as_u64().unwrap();
    let (c, script) = container(&job);
    let count = c["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "CRDT_SHARD_COUNT")
        .expect("the shard count is given to --shard auto")["value"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .unwrap();
    assert_eq!(count, completions, "one shard per completion index");
    for needed in [
        "crdt-harness check",
        "--shard auto",
        "--resume",
        "--out \"/reports/shard-${JOB_COMPLETION_INDEX}.json\"",
    ] {
        assert!(script.contains(needed), "{needed:?} in {script:?}");
    }
    // A finding (exit status 1) is a result: the pod succeeds and its report stays.
    assert!(
        script.contains("[ $status -le 1 ] || exit $status"),
        "{script}"
    );
}

#[test]
fn the_merge_reads_the_campaigns_volume_and_writes_json_and_html() {
    let campaign = manifest("kubernetes/campaign-job.yaml");
    let merge = manifest("kubernetes/merge-job.yaml");
    let claim = manifest("kubernetes/reports-pvc.yaml");
    assert_eq!(claim["kind"], "PersistentVolumeClaim");
    assert_eq!(
        claim["spec"]["accessModes"],
        serde_json::json!(["ReadWriteMany"]),
        "every pod writes its report at once"
    );
    let name = claim["metadata"]["name"].as_str().unwrap();
    assert_eq!(reports_claim(&campaign), name);
    assert_eq!(reports_claim(&merge), name);
    assert_eq!(merge["kind"], "Job");
    assert_ne!(merge["spec"]["completionMode"], "Indexed");
    let (_, script) = container(&merge);
    for needed in [
        "crdt-harness merge-reports /reports/shard-*.json --out /reports/merged.json",
        "--report html --out /reports/merged.html",
    ] {
        assert!(script.contains(needed), "{needed:?} in {script:?}");
    }
}

#[test]
fn the_slurm_merge_waits_for_the_whole_array() {
    let submit = std::fs::read_to_string(deploy("slurm/submit.sh")).unwrap();
    assert!(submit.contains("--array=\"0-$((shards - 1))\""), "{submit}");
    assert!(
        submit.contains("--dependency=\"afterok:$array\""),
        "{submit}"
    );
    let campaign = std::fs::read_to_string(deploy("slurm/campaign.sbatch")).unwrap();
    for needed in [
        "--shard auto",
        "--resume",
        "shard-$task.json",
        "#SBATCH --requeue",
    ] {
        assert!(campaign.contains(needed), "{needed:?} in campaign.sbatch");
    }
    let merge = std::fs::read_to_string(deploy("slurm/merge.sbatch")).unwrap();
    assert!(merge.contains("merge-reports"));
    assert!(merge.contains("--report html"));
}
