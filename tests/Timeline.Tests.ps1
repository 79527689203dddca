# Events say where they happened (HostName), and files of several hosts or clocks merge on one timeline when each
# carries its offset to the wall clock (DATE): the groundwork of tracing a fleet.
BeforeDiscovery { . $PSScriptRoot/KernelFeatures.ps1 }
BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module $PSScriptRoot/TestRunner.psm1 -Force
    $script:StateBefore = Get-KernelTraceState
    $script:Pwsh = Get-PwshCommand
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "lt-timeline-$PID"
    New-Item -ItemType Directory $Work -Force | Out-Null

    # Records sched_process_exec in another pwsh, with this trace clock, to a file (with DATE unless -NoDate); returns the process.
    function Start-RecordingProcess([string] $Clock, [string] $Path, [switch] $NoDate) {
        $date = if ($NoDate) { '' } else { '-WallClock' }
        $cmd = "Import-Module '$RepoRoot/LinuxTrace.psd1'; Start-Trace -Event sched:sched_process_exec -Clock $Clock -Duration 00:00:08 -OutFile '$Path' $date"
        $psi = [Diagnostics.ProcessStartInfo]::new($script:Pwsh[0])
        foreach ($a in @($script:Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $cmd)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true
        [Diagnostics.Process]::Start($psi)
    }

    # Two traces at once on different clocks, the same programs run in between: returns the two files and the pids run, in order.
    function Invoke-TwoClockTrace([string] $ClockA, [string] $ClockB, [switch] $NoDateB) {
        $a = Join-Path $Work "a-$ClockA.dat"; $b = Join-Path $Work "b-$ClockB.dat"
        $before = @(Get-ChildItem "$script:Tracefs/instances" -Directory -Filter 'linuxtrace-*').Count
        $pa = Start-RecordingProcess $ClockA $a
        $pb = Start-RecordingProcess $ClockB $b -NoDate:$NoDateB
        # both recording: their instances have the event enabled and recording on (a new instance records from its
        # mkdir, before its trace set it up: tracing_on alone says nothing)
        Wait-Until { @(Get-ChildItem "$script:Tracefs/instances" -Directory -Filter 'linuxtrace-*' | Where-Object {
                    (Get-Content "$($_.FullName)/tracing_on" -ErrorAction SilentlyContinue) -eq '1' -and
                    (Get-Content "$($_.FullName)/events/sched/sched_process_exec/enable" -ErrorAction SilentlyContinue) -eq '1' }).Count -ge $before + 2 } -TimeoutSeconds 30 -Because 'both traces start recording'
        $pids = foreach ($i in 1..4) {
            $p = Start-Process /bin/true -PassThru; $p.WaitForExit(); $p.Id
            Start-Sleep -Milliseconds 150
        }
        foreach ($p in $pa, $pb) { if (-not $p.WaitForExit(60000)) { $p.Kill($true) }; $p.ExitCode | Should -Be 0 -Because $p.StandardError.ReadToEnd() }
        [pscustomobject]@{ A = $a; B = $b; Pids = $pids }
    }
}

AfterAll {
    Remove-Item $Work -Recurse -Force -ErrorAction SilentlyContinue
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'HostName: where each event was recorded' {
    It 'live events, events read back from a file, and the file''s info name this host' {
        $f = Join-Path $Work 'host.dat'
        $live = @(Start-Trace -Event sched:sched_process_exec -Command /bin/true)
        $live[0].HostName | Should -Be (hostname)
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile $f
        @(Get-TraceEvent $f)[0].HostName | Should -Be (hostname)
        (Get-TraceFileInfo $f).HostName | Should -Be (hostname)
    }

    It 'a trace-cmd file''s events name the host in its UNAME option' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
        $f = Join-Path $Work 'tc.dat'
        Invoke-TraceCmd @('record', '-d', '--no-filter', '-e', 'sched:sched_process_exec', '-o', $f, '/bin/true')
        $uname = (Get-TraceFileInfo $f).Uname
        $uname | Should -Match "^Linux $([regex]::Escape((hostname))) "
        $events = @(Get-TraceEvent $f)
        @($events | Where-Object filename -eq '/bin/true').Count | Should -Be 1
        @($events | Select-Object -ExpandProperty HostName -Unique) | Should -Be @(hostname)
    }
}

Describe 'Files of several clocks merged on one timeline' {
    It 'with DATE in each file, the same execs recorded on the tai and local clocks come out pairwise, in the order they ran' {
        $t = Invoke-TwoClockTrace tai local
        $infoA = Get-TraceFileInfo $t.A; $infoB = Get-TraceFileInfo $t.B
        $infoA.Clock | Should -Be 'tai'; $infoB.Clock | Should -Be 'local'
        # the two clocks are decades apart (tai counts from 1970, local from boot): raw time stamps would not interleave
        [math]::Abs([double]$infoA.FirstTimestampNs - [double]$infoB.FirstTimestampNs) | Should -BeGreaterThan 1e15
        $infoA.WallClockOffsetNs | Should -Not -BeNullOrEmpty
        # the bound: measured at the start and the end of each recording; this host's clocks agree to well under a millisecond
        foreach ($i in $infoA, $infoB) { $i.WallClockBoundNs | Should -BeGreaterThan 0; $i.WallClockBoundNs | Should -BeLessThan 1e6 }
        $infoA.FirstTimeCreated | Should -BeOfType [datetime]

        $merged = @(Get-TraceEvent $t.A, $t.B -WarningVariable warn | Where-Object { $_.pid -in $t.Pids })
        $warn | Should -BeNullOrEmpty
        $merged.Count | Should -Be 8 -Because 'each of the 4 execs is in both files'
        # pairwise: exec i from one file next to exec i from the other, i in the order they ran
        $order = @($merged | ForEach-Object pid)
        $order | Should -Be @($t.Pids | ForEach-Object { $_; $_ })
        # the pair's two time stamps, now on the first file's clock, agree within a millisecond (both from this host's clocks)
        for ($i = 0; $i -lt 8; $i += 2) {
            [math]::Abs([double]$merged[$i].TimestampNs - [double]$merged[$i + 1].TimestampNs) | Should -BeLessThan 1e6
            [math]::Abs(($merged[$i].TimeCreated - $merged[$i + 1].TimeCreated).TotalMilliseconds) | Should -BeLessThan 1
            # and within the files' bounds (plus 5 µs: each instance stamps the exec itself)
            [math]::Abs([double]$merged[$i].TimestampNs - [double]$merged[$i + 1].TimestampNs) | Should -BeLessOrEqual ($infoA.WallClockBoundNs + $infoB.WallClockBoundNs + 5000)
        }
        # time stamps are on the first file's clock (tai): read alone, file B keeps its own
        ($merged | Select-Object -First 1).TimestampNs | Should -BeGreaterThan 1e18
        (@(Get-TraceEvent $t.B)[0].TimestampNs) | Should -BeLessThan 1e18
    }

    It 'without DATE in one of them, they merge on raw time stamps and Get-TraceEvent says so' {
        $t = Invoke-TwoClockTrace tai local -NoDateB
        $merged = @(Get-TraceEvent $t.A, $t.B -WarningVariable warn | Where-Object { $_.pid -in $t.Pids })
        "$warn" | Should -BeLike '*different hosts or clocks*no DATE*-WallClock*'
        # raw: every local (boot-based) stamp comes before every tai one
        @($merged | ForEach-Object pid) | Should -Be @($t.Pids + $t.Pids)
    }
}
