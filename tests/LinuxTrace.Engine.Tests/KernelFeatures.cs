using Xunit;

namespace LinuxTrace.Engine.Tests;

/// <summary>
/// What the kernel under test can do, read from tracefs by the tests themselves (never through the module's
/// capability code). A test that needs a feature calls <see cref="Require"/>, which skips it with the reason
/// "needs:&lt;feature&gt;"; the test run (tests/TestRunner.psm1) fails when a test is skipped for a feature this
/// machine has, judged by tests/KernelFeatures.ps1, which this class mirrors.
/// </summary>
internal static class Kernel
{
    public const string Root = "/sys/kernel/tracing";

    public static bool Has(string feature) => feature switch
    {
        "events" => File.Exists($"{Root}/available_events"),
        "instances" => Directory.Exists($"{Root}/instances"),
        "raw-buffers" => File.Exists($"{Root}/per_cpu/cpu0/trace_pipe_raw"),
        "notrace-pid" => File.Exists($"{Root}/set_event_notrace_pid"),
        "copy-trace-marker" => File.Exists($"{Root}/options/copy_trace_marker"),
        "function" => Tracers().Contains("function") && Readable($"{Root}/available_filter_functions"),
        "function-graph" => Tracers().Contains("function_graph") && Readable($"{Root}/set_graph_function"),
        "function-locked" => Tracers().Contains("function") && !Readable($"{Root}/available_filter_functions"),
        "kprobes" => File.Exists($"{Root}/kprobe_events"),
        "uprobes" => File.Exists($"{Root}/uprobe_events"),
        "dynamic-events" => File.Exists($"{Root}/dynamic_events"),
        "hist" => File.Exists($"{Root}/events/sched/sched_switch/hist"),
        "kallsyms" => KallsymsAddresses(),
        "kernel-vm" => Environment.GetEnvironmentVariable("KVM_GUEST") == "1",
        "vm-host" => Environment.GetEnvironmentVariable("KVM_GUEST") != "1" && Environment.GetEnvironmentVariable("LINUXTRACE_SKIP_KERNEL_VM") != "1",
        _ => throw new ArgumentException($"unknown kernel feature '{feature}' (add it here and to tests/KernelFeatures.ps1)"),
    };

    /// <summary>Skips the calling test unless the kernel has every feature named.</summary>
    public static void Require(params string[] features)
    {
        foreach (var f in features)
            if (!Has(f)) Assert.Skip("needs:" + f);
    }

    private static string[] Tracers()
    {
        try { return File.ReadAllText($"{Root}/available_tracers").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    // kptr_restrict hides kallsyms' addresses (all zero) from those it does not trust
    private static bool KallsymsAddresses()
    {
        try { return File.ReadLines("/proc/kallsyms").Take(1).Any(l => !l.StartsWith("0000000000000000", StringComparison.Ordinal)); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static bool Readable(string path)
    {
        try
        {
            using var s = File.OpenRead(path);
            s.ReadByte();
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
