//! What a process has used so far, from Linux's `/proc`: the harnesses that run a server
//! beside the code they measure (`bridge_throughput`, `jetstream_ceiling`) report both
//! sides' CPU time and memory, so that a shared, loaded machine still shows who is busy.

/// CPU seconds (user and system) process `pid` has used, or 0 when `/proc` cannot say
/// (`None` is this process).
///
/// ```
/// let before = benches::process::cpu_seconds(None);
/// let mut x = 0u64;
/// for i in 0..50_000_000u64 {
///     x = x.wrapping_add(std::hint::black_box(i));
/// }
/// assert!(benches::process::cpu_seconds(None) >= before, "{x}");
/// ```
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let text = std::fs::read_to_string(path(pid, "stat")).unwrap_or_default();
    // The command name is in parentheses and may hold spaces: count the fields after it.
    let after = text.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of proc(5)'s stat; `after` starts at field 3.
    // Their unit, USER_HZ, is 100 on Linux.
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// A `/proc/PID/status` figure in MiB (`"VmRSS:"`, `"VmHWM:"`), or 0 when unknown.
///
/// ```
/// assert!(benches::process::status_mib(None, "VmRSS:") > 0);
/// ```
pub fn status_mib(pid: Option<u32>, key: &str) -> u64 {
    let status = std::fs::read_to_string(path(pid, "status")).unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    kib / 1024
}

fn path(pid: Option<u32>, file: &str) -> String {
    match pid {
        Some(pid) => format!("/proc/{pid}/{file}"),
        None => format!("/proc/self/{file}"),
    }
}
