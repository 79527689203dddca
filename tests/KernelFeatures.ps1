# What the kernel (and machine) under test can do, read straight from tracefs and the system by the tests
# themselves, never through LinuxTrace's own capability code: a test that needs a feature says so with
# the tag 'needs:<feature>' (Pester) or Assert.Skip("needs:<feature>") (xunit), and the test run fails
# when a test is skipped for a feature this machine has (tests/Invoke-PesterRun.ps1, tests/TestRunner.psm1).
# The C# twin of this list is tests/LinuxTrace.Engine.Tests/KernelFeatures.cs; both are judged by this one.

$script:TracefsRoot = '/sys/kernel/tracing'

# True when the file exists and the kernel lets root read it (the function tracer's files answer EPERM on
# hosts that lock it down).
function Test-KernelFileReadable([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return $false }
    try {
        $s = [IO.File]::OpenRead($Path)
        try { $null = $s.ReadByte(); return $true } finally { $s.Dispose() }
    }
    catch { return $false }
}

function Get-KernelTracer { ("$(Get-Content "$script:TracefsRoot/available_tracers" -Raw -ErrorAction SilentlyContinue)").Trim() -split '\s+' }

$script:KernelFeatureTests = [ordered]@{
    # tracefs and events
    'events'           = { Test-Path "$script:TracefsRoot/available_events" }
    'instances'        = { Test-Path "$script:TracefsRoot/instances" -PathType Container }
    'raw-buffers'      = { Test-Path "$script:TracefsRoot/per_cpu/cpu0/trace_pipe_raw" }
    'notrace-pid'      = { Test-Path "$script:TracefsRoot/set_event_notrace_pid" }
    'copy-trace-marker' = { Test-Path "$script:TracefsRoot/options/copy_trace_marker" }
    # the function tracers, usable (listed and not refused)
    'function'         = { (Get-KernelTracer) -contains 'function' -and (Test-KernelFileReadable "$script:TracefsRoot/available_filter_functions") }
    'function-graph'   = { (Get-KernelTracer) -contains 'function_graph' -and (Test-KernelFileReadable "$script:TracefsRoot/set_graph_function") }
    'function-graph-retval' = { Test-Path "$script:TracefsRoot/options/funcgraph-retval" }
    # a host that lists the function tracer but refuses it (EPERM even to root)
    'function-locked'  = { (Get-KernelTracer) -contains 'function' -and -not (Test-KernelFileReadable "$script:TracefsRoot/available_filter_functions") }
    # dynamic probes and in-kernel aggregation
    'kprobes'          = { Test-Path "$script:TracefsRoot/kprobe_events" }
    'no-kprobes'       = { -not (Test-Path "$script:TracefsRoot/kprobe_events") }
    'uprobes'          = { Test-Path "$script:TracefsRoot/uprobe_events" }
    'dynamic-events'   = { Test-Path "$script:TracefsRoot/dynamic_events" }
    'hist'             = { Test-Path "$script:TracefsRoot/events/sched/sched_switch/hist" }
    'no-hist'          = { -not (Test-Path "$script:TracefsRoot/events/sched/sched_switch/hist") }
    'synthetic-events' = { Test-Path "$script:TracefsRoot/synthetic_events" }
    # kallsyms with addresses (kptr_restrict shows zeros to those it does not trust)
    'kallsyms'         = { (Get-Content /proc/kallsyms -TotalCount 1 -ErrorAction SilentlyContinue) -match '^(?!0{16} )[0-9a-f]+ ' }
    # programs on the machine
    'trace-cmd'        = { [bool](Get-Command trace-cmd -CommandType Application -ErrorAction SilentlyContinue) }
    'cc'               = { [bool](Get-Command cc -CommandType Application -ErrorAction SilentlyContinue) }
    'c++'              = { [bool](Get-Command c++ -CommandType Application -ErrorAction SilentlyContinue) }
    'sdt-header'       = { @(Get-ChildItem /usr/include/sys/sdt.h, /usr/include/*/sys/sdt.h -ErrorAction SilentlyContinue).Count -gt 0 }
    'chromium'         = { [bool](Get-Command chromium -CommandType Application -ErrorAction SilentlyContinue) }
    'sshd'             = { (Test-Path /usr/sbin/sshd) -and [bool](Get-Command ip -CommandType Application -ErrorAction SilentlyContinue) -and [bool](Get-Command unshare -CommandType Application -ErrorAction SilentlyContinue) }
    'stress-ng'        = { [bool](Get-Command stress-ng -CommandType Application -ErrorAction SilentlyContinue) }
    # inside the kernel VM (tests/kernel-vm); a host that runs the kernel VM (qemu, unless LINUXTRACE_SKIP_KERNEL_VM=1)
    'kernel-vm'        = { $env:KVM_GUEST -eq '1' }
    'vm-host'          = { $env:KVM_GUEST -ne '1' -and $env:LINUXTRACE_SKIP_KERNEL_VM -ne '1' }
}

function Test-KernelFeature([Parameter(Mandatory)] [string] $Name) {
    $test = $script:KernelFeatureTests[$Name]
    if (-not $test) { throw "Unknown kernel feature '$Name'. Known: $($script:KernelFeatureTests.Keys -join ', ')." }
    [bool](& $test)
}

# For a skipped test, judged by the needs: tags of the level that asked for the skip: '' when it is justified, else
# why not. Justified only when every feature named there is missing: a tag for a feature the machine lacks cannot cover
# a skip that a present one made (a test that needs two features nests a level for each).
function Test-SkipJustified([string[]] $Needs) {
    if (-not $Needs) { return 'skipped without a needs:<feature> reason' }
    foreach ($n in $Needs) {
        if (-not $script:KernelFeatureTests.Contains($n)) { return "skipped for an unknown feature '$n'" }
    }
    $present = @($Needs | Where-Object { Test-KernelFeature $_ })
    if (-not $present) { return '' }
    "skipped although this machine has $($present -join ' and ')"
}
