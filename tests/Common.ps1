# Shared by the Pester tests: import the built module by path, and helpers.
$ErrorActionPreference = 'Stop'
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

# Runs trace-cmd and puts back what it leaves changed on this host: its reset stops at the EPERM on
# set_ftrace_filter, leaving tracing_on at 0 in the top buffer (and any -B instance behind).
function Invoke-TraceCmd([string[]] $Arguments) {
    $on = "$(Get-Content "$script:Tracefs/tracing_on" -Raw)".Trim()
    $before = @(Get-ChildItem "$script:Tracefs/instances" -Directory).Name
    try { & trace-cmd @Arguments 2>&1 | Out-Null }
    finally {
        Set-Content "$script:Tracefs/tracing_on" $on
        Get-ChildItem "$script:Tracefs/instances" -Directory | Where-Object { $_.Name -notin $before -and $_.Name -notlike 'linuxtrace-*' } |
            ForEach-Object { Remove-TraceInstance $_.Name -Confirm:$false }
    }
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
    if ($Ours -is [string]) { return ($Theirs -eq $Ours) -or $Theirs.StartsWith('ARRAY[') }
    if ($Ours -is [array]) {
        $bytes = foreach ($x in $Ours) { [BitConverter]::GetBytes($x) }
        $hex = ($bytes | ForEach-Object { '{0:x2}' -f $_ }) -join ', '
        return $Theirs -eq "ARRAY[$hex]"
    }
    if ($Theirs.StartsWith('0x')) {
        $u = [BitConverter]::ToUInt64([BitConverter]::GetBytes([int64]([decimal]$Ours % [decimal]::Parse('18446744073709551616'))), 0)
        if ($Ours -is [uint64]) { $u = $Ours }
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
    if ($tc.Events.Count -ne $ours.Count) { $problems.Add("count: trace-cmd $($tc.Events.Count), LinuxTrace $($ours.Count)") }
    # compare per CPU: both keep each CPU's order; only ties across CPUs may be ordered differently
    foreach ($cpu in ($ours.Cpu | Sort-Object -Unique)) {
        $a = @($ours | Where-Object Cpu -eq $cpu)
        $b = @($tc.Events | Where-Object Cpu -eq $cpu)
        for ($i = 0; $i -lt [Math]::Min($a.Count, $b.Count); $i++) {
            $o = $a[$i]; $t = $b[$i]
            if ($o.TimestampNs -ne $t.Ts -or $o.ProcessId -ne $t.Pid -or $o.Name -ne $t.Event) {
                $problems.Add("cpu $cpu #$($i): LinuxTrace $($o.TimestampNs) $($o.ProcessId) $($o.Name) vs trace-cmd $($t.Ts) $($t.Pid) $($t.Event)"); continue
            }
            $fields = @($o.GetFormat().OwnFields)
            $vals = Split-RawFields $t.Rest @($fields.Name)
            if ($null -eq $vals) { $problems.Add("cpu $cpu #$($i): cannot split '$($t.Rest)'"); continue }
            foreach ($f in $fields) {
                if (-not (Test-RawValue $o.GetFieldValue($f.Name) $vals[$f.Name] $f.Size)) {
                    $problems.Add("cpu $cpu #$($i) $($o.Name).$($f.Name): LinuxTrace '$($o.GetFieldValue($f.Name))' vs trace-cmd '$($vals[$f.Name])'")
                }
            }
            if ($problems.Count -gt 20) { return $problems }
        }
    }
    $problems
}
