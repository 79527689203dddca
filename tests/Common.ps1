# Shared by the Pester tests: import the built module by path, and helpers.
$ErrorActionPreference = 'Stop'
. $PSScriptRoot/KernelFeatures.ps1
Import-Module $PSScriptRoot/TestRunner.psm1   # Get-PwshCommand, Invoke-ChildProcess
$script:RepoRoot = Split-Path $PSScriptRoot -Parent
Import-Module (Join-Path $script:RepoRoot 'LinuxTrace.psd1') -Force
$PSStyle.OutputRendering = 'PlainText'
$script:Tracefs = '/sys/kernel/tracing'

function Get-Completion([string] $InputScript) {
    (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches.CompletionText
}

# Instances made by LinuxTrace sessions of this process.
function Get-OurInstance { Get-ChildItem "$script:Tracefs/instances" -Directory | Where-Object Name -like "linuxtrace-$PID-*" }

function Get-TopEnabledEvent { (Get-Content "$script:Tracefs/set_event" -Raw) -split "`n" | Where-Object { $_ } }

# The kernel's tracing state that tests and tools may change, as one comparable object: instances, the top
# buffer's tracer, switch, events, pid filters, options, buffer size and clock, and the dynamic probes.
function Get-KernelTraceState([string[]] $TriggerEvents) {
    # plain .NET reads in plain loops: this runs before and after most tests, also in the kernel VM, where every
    # cmdlet call and pipeline costs many times what it costs here. -TriggerEvents ('sched/sched_switch', ...) reads
    # only those events' trigger files instead of every event's (thousands: minutes per snapshot in the kernel VM)
    $t = $script:Tracefs
    function Read([string] $f) {
        try { [IO.File]::ReadAllText("$t/$f").Trim() } catch [IO.FileNotFoundException], [IO.DirectoryNotFoundException] { $null } catch { '' }
    }
    $options = [Collections.Generic.List[string]]::new()
    foreach ($o in [IO.Directory]::GetFiles("$t/options")) { $options.Add("$([IO.Path]::GetFileName($o))=$([IO.File]::ReadAllText($o).Trim())") }
    $options.Sort([StringComparer]::Ordinal)
    $instances = [IO.Directory]::GetDirectories("$t/instances")
    for ($i = 0; $i -lt $instances.Length; $i++) { $instances[$i] = [IO.Path]::GetFileName($instances[$i]) }
    [Array]::Sort($instances, [StringComparer]::Ordinal)
    $events = (Read set_event).Split("`n")
    [Array]::Sort($events, [StringComparer]::Ordinal)
    $triggers = [Collections.Generic.List[string]]::new()
    $set = [regex]::new('(?m)^[^#]')   # a trigger file lists its triggers under "# Available triggers:" comments
    $triggerFiles = if ($TriggerEvents) { @($TriggerEvents | ForEach-Object { "$t/events/$_/trigger" } | Where-Object { [IO.File]::Exists($_) }) }
    else { [IO.Directory]::GetFiles("$t/events", 'trigger', [IO.SearchOption]::AllDirectories) }
    foreach ($f in $triggerFiles) {
        if ($set.IsMatch([IO.File]::ReadAllText($f))) { $triggers.Add($f) }
    }
    [pscustomobject][ordered]@{
        Instances      = $instances -join ' '
        Tracer         = Read current_tracer
        TracingOn      = Read tracing_on
        Events         = ($events -join ' ').Trim()
        EventPids      = Read set_event_pid
        EventNoPids    = Read set_event_notrace_pid
        BufferPages    = ConvertTo-BufferPages (Read buffer_size_kb)
        Clock          = Read trace_clock
        Options        = $options -join ' '
        GraphFunctions = Read set_graph_function
        GraphNoTrace   = Read set_graph_notrace
        MaxGraphDepth  = Read max_graph_depth
        FtraceFilter   = Read set_ftrace_filter
        FtraceNoTrace  = Read set_ftrace_notrace
        FtracePid      = Read set_ftrace_pid
        FtraceNoPid    = Read set_ftrace_notrace_pid
        KProbes        = Read kprobe_events
        UProbes        = Read uprobe_events
        DynamicEvents  = Read dynamic_events
        Synthetic      = Read synthetic_events
        Triggers       = $triggers -join ' '
    }
}

# A buffer_size_kb value as the kernel's number of ring-buffer pages per CPU: "7 (expanded: 1408)" (not yet
# allocated) counts as the 1408 KB it will have, and 1408 and 1410 KB are the same 354 pages of 4080 data bytes.
function ConvertTo-BufferPages([string] $Text) {
    if ($Text -match '^\d+ \(expanded: (\d+)\)$') { $Text = $Matches[1] }
    if ($Text -notmatch '^\d+$') { return $Text }
    [math]::Ceiling([double]$Text * 1024 / 4080)
}

# The properties of two state snapshots that differ, as "name: before -> after" lines (none when equal).
function Compare-KernelTraceState($Before, $After) {
    foreach ($p in $Before.PSObject.Properties.Name) {
        if ("$($Before.$p)" -ne "$($After.$p)") { "$($p): '$($Before.$p)' -> '$($After.$p)'" }
    }
}

# Waits until the script block returns something true, or fails the test after the deadline. Returns that value.
# The error a script block ends with ($null when it does not): for asserting ids, categories and messages.
function Get-Failure([scriptblock] $Script) { try { & $Script | Out-Null; $null } catch { $_ } }

function Wait-Until([scriptblock] $Condition, [double] $TimeoutSeconds = 10, [string] $Because = 'the condition') {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $v = & $Condition
        if ($v) { return $v }
        Start-Sleep -Milliseconds 20
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "Timed out after $TimeoutSeconds s waiting for $Because."
}

# Replaces a tracefs list (set_event, set_event_pid, ...) with the given whitespace-separated items. Only opening with
# O_TRUNC clears such a file, and .NET (so Set-Content too) never passes it: it truncates with ftruncate, which tracefs
# ignores, so Set-Content $file '' leaves the list as it was. The shell's > does pass O_TRUNC.
function Write-TracefsList([string] $Path, [string] $Items) {
    & /bin/sh -c 'printf "%s\n" "$2" > "$1"' sh $Path $Items
    if ($LASTEXITCODE -ne 0) { throw "could not write '$Items' to $Path" }
}

# Runs trace-cmd and puts back every top-level setting it leaves changed on this host: its reset stops at the
# EPERM on set_ftrace_filter, leaving tracing_on at 0 (and any -B instance behind), and whatever else it set
# before the failure. Fails the test if something cannot be put back.
# -TimeoutSeconds: trace-cmd gets SIGINT then (it stops recording and writes its file), SIGKILL 30 s later; in the
# kernel VM its record of function_graph has been seen to stall for minutes after the traced command ended.
#
# trace-cmd 3.1.6 `record <command>` has two races with the command it forks, both lost more often the busier the
# machine (a loaded CI machine lost them 3 runs in 3):
# - with -F (and --proc-map), the child makes itself traced (PTRACE_TRACEME) while the parent attaches to it
#   (PTRACE_ATTACH). When the child is first, the parent says "Unable to trace process N children", never counts the
#   child's exit, and waits forever in wait4(-1) for its own recorders, deaf to SIGINT;
# - a recorder that has not opened its per-CPU file when the command ends is stopped anyway, and the file lacks that
#   CPU ("can not stat 'x.dat.cpu0'"): no events, or no flyrecord buffer at all.
# So `record` runs on one CPU under SCHED_FIFO (taskset, chrt): there a forked child waits behind its parent and the
# children forked before it until they block, so the parent attaches before the command runs and every recorder has
# opened its file before it. Measured under `stress-ng --cpu 2 --cpu-load 95`: 0 of 40 runs hung, where plain runs
# hung 2 in 12 and pinned (taskset alone) 7 in 30. What is left is still caught: a run still going after
# -HangSeconds is killed and a run that lost a CPU's file is said, and either is run again (three runs at most).
function Invoke-TraceCmd([string[]] $Arguments, [int] $TimeoutSeconds = 0, [int] $HangSeconds = 60) {
    for ($attempt = 1; ; $attempt++) {
        $problem = Invoke-TraceCmdOnce $Arguments $TimeoutSeconds $HangSeconds
        if (-not $problem) { return }
        if ($attempt -ge 3) { throw "trace-cmd $($Arguments -join ' ') $problem, $attempt times" }
        Write-Warning "trace-cmd $($Arguments[0]) ${problem}: the kernel put back, run again"
    }
}

# One run of trace-cmd; returns what went wrong with trace-cmd's run ($null when nothing did).
function Invoke-TraceCmdOnce([string[]] $Arguments, [int] $TimeoutSeconds, [int] $HangSeconds) {
    # (.NET reads, and writes only where something changed: in the kernel VM every cmdlet call costs a lot)
    $t = $script:Tracefs
    $before = Get-KernelTraceState
    $buffer = [IO.File]::ReadAllText("$t/buffer_size_kb").Trim()   # (the state has it in pages; writing takes KB)
    $clock = ($before.Clock -split '\s+' | Where-Object { $_ -like '[[]*' }).Trim('[]')
    $run = if ($Arguments[0] -eq 'record') { @('taskset', '-c', '0', 'chrt', '-f', '50', 'trace-cmd') } else { @('trace-cmd') }
    try {
        if ($TimeoutSeconds -gt 0) { $out = & timeout -s INT -k 30 $TimeoutSeconds @run @Arguments 2>&1; $hung = $false }
        else {
            # (timeout signals its own process group: trace-cmd's recorder children go too)
            $out = & timeout -s KILL $HangSeconds @run @Arguments 2>&1
            $hung = $LASTEXITCODE -eq 137
        }
        $lost = @($out | Where-Object { "$_" -match "can not stat '.*\.cpu\d+'" })
        if ($hung) { "hung (still running after $HangSeconds s, killed)" }
        elseif ($lost) { "lost a CPU's recording ($("$($lost[0])".Trim()))" }
    }
    finally {
        $now = Get-KernelTraceState
        if ($now.Tracer -ne $before.Tracer) { Set-Content "$t/current_tracer" $before.Tracer }
        if ($now.EventPids -ne $before.EventPids) { Write-TracefsList "$t/set_event_pid" $before.EventPids }
        if ($now.EventNoPids -ne $before.EventNoPids) { Write-TracefsList "$t/set_event_notrace_pid" $before.EventNoPids }
        # a buffer not yet allocated reads "7 (expanded: 1408)": once used, it is 1408 KB, which is no change
        if ($now.BufferPages -ne $before.BufferPages) { Set-Content "$t/buffer_size_kb" ($buffer -replace '^\d+ \(expanded: (\d+)\)$', '$1') }
        if ($now.Clock -ne $before.Clock) { Set-Content "$t/trace_clock" $clock }
        if ($now.Events -ne $before.Events) { Write-TracefsList "$t/set_event" $before.Events }
        if ($now.Options -ne $before.Options) {
            # (the state lists options as name=value, space-separated)
            $changed = @($before.Options -split ' ' | Where-Object { $_ -notin ($now.Options -split ' ') })
            foreach ($o in $changed) { $name, $value = $o -split '=', 2; Set-Content "$t/options/$name" $value }
        }
        if ($now.TracingOn -ne $before.TracingOn) { Set-Content "$t/tracing_on" $before.TracingOn }
        foreach ($i in $now.Instances -split ' ' | Where-Object { $_ -and $_ -notin ($before.Instances -split ' ') -and $_ -notlike 'linuxtrace-*' }) {
            Set-Content "$t/instances/$i/events/enable" 0; [IO.Directory]::Delete("$t/instances/$i", $false)
        }
        $diff = Compare-KernelTraceState $before (Get-KernelTraceState)
        if ($diff) { throw "trace-cmd left the kernel changed and it could not be put back: $($diff -join '; ')" }
    }
}

# Compiles tests/programs/<Name>.c (or .cpp, with c++) once per run and returns the program's path.
function Get-TestProgram([string] $Name, [string[]] $CompilerArguments = @()) {
    $src = Join-Path $PSScriptRoot "programs/$Name.c"
    $compiler = 'cc'
    if (-not (Test-Path $src)) { $src = Join-Path $PSScriptRoot "programs/$Name.cpp"; $compiler = 'c++' }
    $dir = Join-Path $script:RepoRoot 'out/programs'
    $exe = Join-Path $dir $Name
    if (-not (Test-Path $exe) -or (Get-Item $exe).LastWriteTimeUtc -lt (Get-Item $src).LastWriteTimeUtc) {
        New-Item -ItemType Directory -Path $dir -Force | Out-Null
        $out = & $compiler -O1 -g -o $exe $src @CompilerArguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "cc $Name.c failed: $out" }
    }
    $exe
}

function New-TestInstanceName { "lt-pester-$PID-$([guid]::NewGuid().ToString('N').Substring(0, 8))" }

# Parses `trace-cmd report -R -t` into one object per event (and counts "EVENTS DROPPED" lines).
function Read-TraceCmdReport([string] $Path) {
    $err = $null
    $lines = & trace-cmd report -R -t -i $Path 2>&1
    $events = [System.Collections.Generic.List[object]]::new()
    $warnings = [System.Collections.Generic.List[string]]::new()
    foreach ($l in $lines) {
        if ($l -is [System.Management.Automation.ErrorRecord]) { $warnings.Add("$l"); continue }
        if ($l -match '^\s*(?<comm>.*)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s+(?<sec>\d+)\.(?<ns>\d{9}):\s+(?<event>[^:\s]+):\s?(?<rest>.*)$') {
            $events.Add([pscustomobject]@{
                Pid = [int]$Matches.pid; Cpu = [int]$Matches.cpu
                Ts = [uint64]$Matches.sec * 1000000000 + [uint64]$Matches.ns
                Event = $Matches.event; Rest = $Matches.rest.Trim()
            })
        }
    }
    [pscustomobject]@{ Events = $events; Warnings = $warnings }
}

# Splits "a=1 b=x y c=ARRAY[..]" by the event's field names, in format order.
function Split-RawFields([string] $Rest, [string[]] $Names) {
    $values = @{}
    $pos = 0
    for ($i = 0; $i -lt $Names.Count; $i++) {
        $key = "$($Names[$i])="
        if (-not $Rest.Substring($pos).StartsWith($key)) { return $null }
        $start = $pos + $key.Length
        $end = $Rest.Length
        if ($i + 1 -lt $Names.Count) {
            $next = $Rest.IndexOf(" $($Names[$i + 1])=", $start)
            if ($next -lt 0) { return $null }
            $end = $next
        }
        $values[$Names[$i]] = $Rest.Substring($start, $end - $start)
        $pos = $end + 1
    }
    $values
}

# Does trace-cmd's printed value equal our typed value?
function Test-RawValue($Ours, [string] $Theirs, [int] $Size) {
    $Theirs = $Theirs.Trim()
    # (trimmed as theirs is: a thread may name itself with a trailing space, as MSBuild's 'RequestBuilder ' does)
    if ($Ours -is [string]) { return ($Theirs -eq $Ours.Trim()) -or $Theirs.StartsWith('ARRAY[') }
    if ($Ours -is [array]) {
        $bytes = foreach ($x in $Ours) { [BitConverter]::GetBytes($x) }
        $hex = ($bytes | ForEach-Object { '{0:x2}' -f $_ }) -join ', '
        return $Theirs -eq "ARRAY[$hex]"
    }
    if ($Theirs.StartsWith('0x')) {
        $u = if ($Ours -is [uint64]) { $Ours } else { [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]([decimal]$Ours % [decimal]::Parse('18446744073709551616'))), 0) }
        if ($Size -lt 8) { $u = $u -band ([uint64]::MaxValue -shr (64 - 8 * $Size)) }
        return $u -eq [Convert]::ToUInt64($Theirs.Substring(2), 16)
    }
    return [decimal]$Ours -eq [decimal]$Theirs
}

# Compares LinuxTrace's reading of a file with trace-cmd's, event for event, field for field. Returns mismatches.
function Compare-WithTraceCmd([string] $Path) {
    $tc = Read-TraceCmdReport $Path
    $ours = @(Get-TraceEvent -LiteralPath $Path | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
    $problems = [System.Collections.Generic.List[string]]::new()
    foreach ($w in $tc.Warnings) { $problems.Add("trace-cmd: $w") }
    # two empty readings agree on nothing: a comparison needs events on both sides, and as many
    if ($ours.Count -eq 0) { $problems.Add("LinuxTrace read no events from $Path") }
    if ($tc.Events.Count -eq 0) { $problems.Add("trace-cmd report printed no events of $Path") }
    if ($tc.Events.Count -ne $ours.Count) { $problems.Add("count: trace-cmd $($tc.Events.Count), LinuxTrace $($ours.Count)") }
    # compare per CPU: both keep each CPU's order; only ties across CPUs may be ordered differently
    foreach ($cpu in ($ours.CpuNumber | Sort-Object -Unique)) {
        $a = @($ours | Where-Object CpuNumber -eq $cpu)
        $b = @($tc.Events | Where-Object Cpu -eq $cpu)
        for ($i = 0; $i -lt [Math]::Min($a.Count, $b.Count); $i++) {
            $o = $a[$i]; $t = $b[$i]
            if ($o.TimestampNs -ne $t.Ts -or $o.ProcessId -ne $t.Pid -or $o.EventName -ne $t.Event) {
                $problems.Add("cpu $cpu #$($i): LinuxTrace $($o.TimestampNs) $($o.ProcessId) $($o.EventName) vs trace-cmd $($t.Ts) $($t.Pid) $($t.Event)"); continue
            }
            $fields = @($o.GetFormat().OwnFields)
            $vals = Split-RawFields $t.Rest @($fields.Name)
            if ($null -eq $vals) { $problems.Add("cpu $cpu #$($i): cannot split '$($t.Rest)'"); continue }
            foreach ($f in $fields) {
                # trace-cmd prints some address fields (function events' ip) as the symbol: compare ours, from kallsyms
                if ($vals[$f.Name] -match '^([A-Za-z_][\w.]*)(\+0x[0-9a-f]+)?$' -and $o.PSObject.Properties["$($f.Name)_symbol"]) {
                    if ($o."$($f.Name)_symbol" -ne $Matches[1]) { $problems.Add("cpu $cpu #$($i) $($o.EventName).$($f.Name): LinuxTrace symbol '$($o."$($f.Name)_symbol")' vs trace-cmd '$($vals[$f.Name])'") }
                    continue
                }
                # a probe's string the kernel could not fetch (a user page not yet in memory) has length 0: LinuxTrace says '',
                # libtraceevent reads on past the record's end and prints whatever follows
                if ($f.Name -notlike 'common_*' -and "$($f.Kind)" -eq 'DataLocString' -and $o.GetFieldValue($f.Name) -eq '' -and $o.EventSystem -in 'kprobes', 'uprobes') { continue }
                # libtraceevent prints a probe's own addresses (__probe_ip, __probe_func, __probe_ret_ip) in hex without 0x
                if ($f.Name -like '__probe_*' -and $vals[$f.Name] -match '^[0-9a-f]+$') { $vals[$f.Name] = '0x' + $vals[$f.Name] }
                if (-not (Test-RawValue $o.GetFieldValue($f.Name) $vals[$f.Name] $f.Size)) {
                    $problems.Add("cpu $cpu #$($i) $($o.EventName).$($f.Name): LinuxTrace '$($o.GetFieldValue($f.Name))' vs trace-cmd '$($vals[$f.Name])'")
                }
            }
            if ($problems.Count -gt 20) { return $problems }
        }
    }
    $problems
}

# Compares each event's Message with the text trace-cmd report -N (libtraceevent without plugins) prints for it,
# event for event per CPU. Returns the number of events compared, the mismatches ("ours" vs "theirs") and, when the
# two sides do not have the same number of events (or either has none), CountMismatch saying so.
function Compare-MessageWithTraceCmd([string] $Path) {
    $lines = & trace-cmd report -N -t -i $Path 2>$null
    $theirs = @{}
    foreach ($l in $lines) {
        if ($l -notmatch '^\s*(?<comm>.*)-(?<pid>\d+)\s+\[(?<cpu>\d+)\]\s+(?<sec>\d+)\.(?<ns>\d{9}): (?<name>[^:]+): (?<rest>.*)$') { continue }
        $pad = [Math]::Max(0, 20 - $Matches.name.Length)
        $msg = if ($Matches.rest.Length -ge $pad) { $Matches.rest.Substring($pad) } else { '' }
        # -N (no plugins) also turns off trace-cmd's handler for ftrace:function, so it prints the kernel's print fmt
        # " %ps <-- %ps", leading space and all; LinuxTrace prints what the handler prints, without it
        if ($Matches.name -eq 'function' -and $msg.StartsWith(' ')) { $msg = $msg.Substring(1) }
        $cpu = [int]$Matches.cpu
        if (-not $theirs.ContainsKey($cpu)) { $theirs[$cpu] = [System.Collections.Generic.List[object]]::new() }
        $theirs[$cpu].Add([pscustomobject]@{ Ts = [uint64]$Matches.sec * 1000000000 + [uint64]$Matches.ns; Name = $Matches.name; Message = $msg })
    }
    $mismatches = [System.Collections.Generic.List[string]]::new()
    $compared = 0
    $ours = @(Get-TraceEvent -LiteralPath $Path | Where-Object { $_ -is [LinuxTrace.TraceEvent] })
    foreach ($g in $ours | Group-Object CpuNumber) {
        $list = $theirs[[int]$g.Name]
        $i = 0
        foreach ($e in $g.Group) {
            if ($null -eq $list -or $i -ge $list.Count) { $mismatches.Add("cpu $($g.Name): trace-cmd has fewer events"); break }
            $t = $list[$i++]
            $compared++
            # trace-cmd prints a multi-line message on several lines: compare the first
            $m = ($e.Message -split "`n")[0]
            if ($t.Ts -ne $e.TimestampNs -or $t.Name -ne $e.EventName -or $t.Message -ne $m) {
                $mismatches.Add("$($e.EventSystem):$($e.EventName) @$($e.TimestampNs): ours '$m' vs trace-cmd '$($t.Message)'")
            }
        }
    }
    # the events each side has, apart from the messages (callers allow a few of those to differ, never the events)
    $total = [int]($theirs.Values | Measure-Object Count -Sum).Sum
    $countMismatch = if ($ours.Count -eq 0 -or $total -eq 0) { "no events to compare: LinuxTrace $($ours.Count), trace-cmd $total" }
    elseif ($total -ne $ours.Count) { "count: trace-cmd $total, LinuxTrace $($ours.Count)" }
    [pscustomobject]@{ Compared = $compared; Mismatches = $mismatches; CountMismatch = $countMismatch }
}

# In the kernel VM: keeps a file a guest test recorded for the host's checks (tests/kernel-vm/host), which read it
# under -Name. Reading a trace file does not depend on the kernel that wrote it, and the host reads and compares
# (trace-cmd report, parsed in PowerShell) many times faster than the emulated guest.
function Save-VmFile([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Name) {
    if (-not $env:LINUXTRACE_VM_FILES) { throw 'Save-VmFile: not in the kernel VM (tests/kernel-vm/guest.sh sets LINUXTRACE_VM_FILES)' }
    [IO.Directory]::CreateDirectory($env:LINUXTRACE_VM_FILES) | Out-Null
    Copy-Item -LiteralPath $Path -Destination (Join-Path $env:LINUXTRACE_VM_FILES $Name) -Force
}
