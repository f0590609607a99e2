//! What the machine is and how much memory the process holds, read from `/proc` (Linux).
//!
//! Peak RSS (`VmHWM`) is process-wide: when runs overlap on several threads it is the peak of
//! the whole process so far, not of one run. With one thread the runner resets it before each
//! run (by writing `5` to `/proc/self/clear_refs`, Linux >= 4.0), which makes it per-run, and
//! reads the RSS at that moment: what the process already held (data sets, memory the allocator
//! kept from earlier runs), so that the run's own growth is the difference.

use serde::Serialize;

/// The machine a sweep ran on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MachineInfo {
    /// CPU model name from `/proc/cpuinfo` ("unknown" when not readable).
    pub cpu_model: String,
    /// Logical cores available to this process.
    pub logical_cores: usize,
    /// Total memory from `/proc/meminfo`, in bytes (0 when unknown).
    pub memory_bytes: u64,
    /// `std::env::consts::OS` and `ARCH`.
    pub os: String,
}

impl MachineInfo {
    /// Reads the machine description.
    pub fn detect() -> Self {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let logical_cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let memory_bytes = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| kib_field(&text, "MemTotal:"))
            .unwrap_or(0);
        Self {
            cpu_model,
            logical_cores,
            memory_bytes,
            os: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        }
    }
}

/// Value of a `Name:   123 kB` line, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// Memory available to new allocations without swapping (`MemAvailable` of `/proc/meminfo`),
/// in bytes; `None` when unknown (not Linux, or a kernel older than 3.14).
pub fn available_memory_bytes() -> Option<u64> {
    std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| kib_field(&text, "MemAvailable:"))
}

/// The 1, 5 and 15-minute load averages of `/proc/loadavg`: how busy the machine was around a
/// run, which an absolute time needs beside the host. `None` when not readable.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}

/// Peak resident set size of the whole process (`VmHWM`), in bytes; 0 when unknown.
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|text| kib_field(&text, "VmHWM:"))
        .unwrap_or(0)
}

/// Resident set size of the process now (`VmRSS`), in bytes; `None` when unknown.
pub fn current_rss_bytes() -> Option<u64> {
    std::fs::read_to_string("/proc/self/status").ok().and_then(|text| kib_field(&text, "VmRSS:"))
}

/// Resets the process's peak RSS to its current RSS. Returns whether the kernel accepted it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kib_lines() {
        let text = "Name:\trunner\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n";
        assert_eq!(kib_field(text, "VmHWM:"), Some(2048 * 1024));
        assert_eq!(kib_field(text, "VmSwap:"), None);
    }
}
