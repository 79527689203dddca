# The main job for a new user: what this kernel allows, then the classic ftrace walkthrough done with LinuxTrace.
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath

function Section([string] $title) { Write-Host "`n== $title ==" -ForegroundColor Cyan }

Section 'What this kernel allows (Get-TraceCapability)'
Get-TraceCapability | Format-Table -AutoSize | Out-Host

Section 'Tracers (Get-AvailableTracer)'
Get-AvailableTracer | Format-Table -AutoSize | Out-Host

Section 'The walkthrough: function_graph of do_sys_openat2 with funcgraph-proc'
$graph = Get-TraceCapability function_graph
if ($graph.Available) {
    # the walkthrough's order: the filter, then the tracer; afterwards current_tracer is nop again
    Set-GraphFunction do_sys_openat2
    try {
        $calls = Start-Trace -Tracer function_graph -Option funcgraph-proc -Command /bin/ls -ArgumentList '/' | Where-Object Command -eq ls
    }
    finally { Clear-GraphFunction }
    $opens = @($calls | Where-Object Function -eq do_sys_openat2)
    Write-Host "ls made $($opens.Count) do_sys_openat2 calls; the first one's call graph (Format-TraceGraph, as trace-cmd report prints it):"
    $opens | Select-Object -First 1 | Format-TraceGraph -ShowProcess | Select-Object -First 40 | Out-Host
    Write-Host 'Where the opens spent their time (Measure-FunctionCall):'
    $calls | Measure-FunctionCall | Select-Object -First 8 | Format-Table -AutoSize | Out-Host
    Write-Host "current_tracer afterwards: $((Get-Content /sys/kernel/tracing/current_tracer).Trim())"
}
else {
    Write-Host "Not on this kernel: $($graph.Detail)."
    Write-Host 'Events work, so the demo traces the same story with tracepoints: opens and execs of `ls`.'
    Write-Host 'The real walkthrough runs in a full kernel under QEMU: ./build.ps1 -Task Demo -KernelVM'
}

Section 'Tracing `ls /` (Start-Trace -Command): its exec and every system call it makes, only for ls'
$events = Start-Trace -Event sched:sched_process_exec, 'syscalls:sys_enter_*' -Command /bin/ls -ArgumentList '/'
$events | Select-Object -First 12 | Format-Table | Out-Host

Section 'The system calls of ls, counted (Group-Object on typed objects)'
$events | Where-Object EventSystem -eq syscalls | Group-Object EventName | Sort-Object Count -Descending |
    Select-Object -First 10 Count, Name | Format-Table -AutoSize | Out-Host
$exec = $events | Where-Object EventName -eq sched_process_exec
"exec: pid {0} ran {1}" -f $exec.ProcessId, $exec.filename | Out-Host

Section 'Context switches for one second, grouped by the task switched to'
Start-Trace -Event sched:sched_switch -Duration 00:00:01 |
    Group-Object next_comm | Sort-Object Count -Descending | Select-Object -First 8 Count, Name | Format-Table -AutoSize | Out-Host

Section 'Dynamic probes: the file names cat opens (a kprobe), and what getpid() returned (a uretprobe on libc)'
if (Test-Path /sys/kernel/tracing/kprobe_events) {
    Start-Trace -KProbe 'p:lt_demo_open do_sys_openat2 filename=+0(%si):string' -Command cat -ArgumentList /etc/hostname |
        Select-Object ProcessName, filename | Format-Table -AutoSize | Out-Host
}
else {
    Write-Host 'This kernel has no kprobe events; the kernel VM shows them (./build.ps1 -Task Demo -KernelVM).'
}
if (Test-Path /sys/kernel/tracing/uprobe_events) {
    Start-Trace -UProbe 'r:lt_demo_getpid libc:getpid ret=$retval:s32' -Command sh -ArgumentList '-c', 'echo $$ >/dev/null' |
        Select-Object EventName, ProcessName, ProcessId, ret | Format-Table -AutoSize | Out-Host
    Get-UsdtProbe libstdc++ -ErrorAction SilentlyContinue | Format-Table | Out-Host
}

Section 'A trace.dat file for trace-cmd and KernelShark (Start-Trace -OutFile, Get-TraceFileInfo, Get-TraceEvent -Path)'
$dat = Join-Path ([IO.Path]::GetTempPath()) "linuxtrace-demo-$PID.dat"
Start-Trace -Event sched:sched_switch, sched:sched_wakeup -Duration 00:00:01 -OutFile $dat -Compression zstd
Get-TraceFileInfo $dat | Format-List Version, Compression, Clock, CpuCount, EventCount, EventCounts, TimeSpan | Out-Host
Get-TraceEvent $dat -Event sched_wakeup | Select-Object -First 5 | Format-Table | Out-Host
if (Get-Command trace-cmd -ErrorAction SilentlyContinue) {
    Write-Host 'trace-cmd report reads it too:'
    & trace-cmd report -i $dat 2>$null | Select-Object -First 6 | Out-Host
}
Remove-Item $dat

Section 'Nothing is left behind (Get-TraceStatus)'
$s = Get-TraceStatus
"instances: {0}; enabled events in the top buffer: {1}" -f ($s.Instances.Count), ($s.EnabledEvents.Count) | Out-Host
