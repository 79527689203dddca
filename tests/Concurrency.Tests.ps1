# Several traces at once: in one process (runspaces, -AsSession) and in several processes, each sees its own
# events; a trace stopped from another runspace ends cleanly; a loop of all of it leaves the kernel as it was.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    # A program only one trace runs: a copy of /bin/true whose path tells whose it is.
    function New-OwnProgram([string] $Tag) {
        $f = Join-Path $TestDrive "own-$Tag-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        Copy-Item /bin/true $f
        & chmod +x $f
        $f
    }
    # What a trace of a program saw executed: the file names of its exec events.
    $script:TraceProgram = {
        param($Module, $Program)
        Import-Module $Module
        @(Start-Trace -Event sched:sched_process_exec -Command $Program -WarningAction SilentlyContinue).filename
    }
}
AfterAll {
    Get-TraceSession | Stop-Trace
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

Describe 'Traces at the same time' {
    It 'in parallel runspaces of one process, each sees its own program and nobody else''s' {
        $files = 1..4 | ForEach-Object { New-OwnProgram "rs$_" }
        $module = Join-Path $RepoRoot 'LinuxTrace.psd1'
        $pool = [runspacefactory]::CreateRunspacePool(1, 4)
        $pool.Open()
        try {
            $jobs = foreach ($f in $files) {
                $ps = [powershell]::Create()
                $ps.RunspacePool = $pool
                [void]$ps.AddScript($TraceProgram).AddArgument($module).AddArgument($f)
                [pscustomobject]@{ PS = $ps; Handle = $ps.BeginInvoke(); File = $f }
            }
            foreach ($j in $jobs) {
                $opened = @($j.PS.EndInvoke($j.Handle))
                $j.PS.Streams.Error | Should -BeNullOrEmpty
                $opened | Should -Contain $j.File
                foreach ($other in $files | Where-Object { $_ -ne $j.File }) { $opened | Should -Not -Contain $other }
                $j.PS.Dispose()
            }
        }
        finally { $pool.Dispose() }
        Get-OurInstance | Should -BeNullOrEmpty
    }

    It 'in several processes at once, each sees its own program' {
        $files = 1..3 | ForEach-Object { New-OwnProgram "proc$_" }
        $pwsh = Get-PwshCommand
        $procs = foreach ($f in $files) {
            $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; @(Start-Trace -Event sched:sched_process_exec -Command '$f' -WarningAction SilentlyContinue).filename -join [char]10"
            $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $p = [Diagnostics.Process]::Start($psi)
            [pscustomobject]@{ Process = $p; Output = $p.StandardOutput.ReadToEndAsync(); File = $f }
        }
        foreach ($p in $procs) {
            $p.Process.WaitForExit(120000) | Should -BeTrue
            $p.Process.ExitCode | Should -Be 0
            $opened = $p.Output.GetAwaiter().GetResult().Trim() -split "`n"
            $opened | Should -Contain $p.File
            foreach ($other in $files | Where-Object { $_ -ne $p.File }) { $opened | Should -Not -Contain $other }
        }
    }

    It 'stops a streaming trace from another runspace: the stream ends, the instance goes' {
        $name = "stream-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $ps = [powershell]::Create()
        [void]$ps.AddScript({
            param($Module, $Name)
            Import-Module $Module
            $n = 0
            Start-Trace -Event sched:sched_switch -Name $Name -IncludeSelf -WarningAction SilentlyContinue | ForEach-Object { $n++ }
            "ended after $n"
        }).AddArgument((Join-Path $RepoRoot 'LinuxTrace.psd1')).AddArgument($name)
        $handle = $ps.BeginInvoke()
        try {
            $session = Wait-Until { Get-TraceSession -Name $name -ErrorAction SilentlyContinue } -TimeoutSeconds 30 -Because 'the stream to start'
            $inst = $session.InstanceName
            Wait-Until { $session.EventCount -gt 0 } -TimeoutSeconds 30 -Because 'events to stream' | Out-Null
            $summary = Get-TraceSession -Name $name | Stop-Trace -PassThru
            $summary.Name | Should -Be $name
            $handle.AsyncWaitHandle.WaitOne(30000) | Should -BeTrue -Because 'the stream ends when stopped'
            $out = $ps.EndInvoke($handle)
            $ps.Streams.Error | Should -BeNullOrEmpty
            "$out" | Should -Match '^ended after [1-9]'
            Test-Path "$Tracefs/instances/$inst" | Should -BeFalse
        }
        finally { if (-not $handle.IsCompleted) { $ps.Stop() }; $ps.Dispose() }
    }

    It 'starts and stops sessions in parallel, again and again, from several runspaces; the kernel is left as it was' {
        $before = Get-KernelTraceState
        $module = Join-Path $RepoRoot 'LinuxTrace.psd1'
        $pool = [runspacefactory]::CreateRunspacePool(1, 4)
        $pool.Open()
        try {
            for ($round = 0; $round -lt 5; $round++) {
                # four sessions started here, each stopped by another runspace, while two more runspaces stream
                $sessions = 1..4 | ForEach-Object { Start-Trace -Event sched:sched_switch, sched:sched_wakeup -AsSession -Name "par-$round-$_" }
                $work = @(
                    foreach ($s in $sessions) {
                        $ps = [powershell]::Create(); $ps.RunspacePool = $pool
                        [void]$ps.AddScript({ param($Module, $Name) Import-Module $Module; Start-Sleep -Milliseconds (Get-Random -Maximum 300); Get-TraceSession -Name $Name | Stop-Trace -PassThru }).AddArgument($module).AddArgument($s.Name)
                        [pscustomobject]@{ PS = $ps; Handle = $ps.BeginInvoke(); Kind = 'stop' }
                    }
                    foreach ($k in 1..2) {
                        $ps = [powershell]::Create(); $ps.RunspacePool = $pool
                        [void]$ps.AddScript({ param($Module) Import-Module $Module; @(Start-Trace -Event sched:sched_switch -IncludeSelf -Duration 00:00:00.5 -WarningAction SilentlyContinue | Select-Object -First 50).Count }).AddArgument($module)
                        [pscustomobject]@{ PS = $ps; Handle = $ps.BeginInvoke(); Kind = 'stream' }
                    }
                )
                foreach ($w in $work) {
                    $r = $w.PS.EndInvoke($w.Handle)
                    $w.PS.Streams.Error | Should -BeNullOrEmpty
                    if ($w.Kind -eq 'stop') { $r.Instance | Should -Match '^linuxtrace-' } else { $r | Should -BeGreaterThan 0 }
                    $w.PS.Dispose()
                }
                $sessions | ForEach-Object { $_.State | Should -Be 'Stopped' }
            }
        }
        finally { $pool.Dispose() }
        Get-TraceSession | Should -BeNullOrEmpty
        Compare-KernelTraceState $before (Get-KernelTraceState) | Should -BeNullOrEmpty
    }
}

Describe 'Drainers' {
    It 'drains on native threads, and on .NET threads when told to (or when the library is missing), with the same results' {
        $pwsh = Get-PwshCommand
        foreach ($managed in $false, $true) {
            $dat = Join-Path $TestDrive "drainers-$managed.dat"
            $script = "Import-Module '$RepoRoot/LinuxTrace.psd1'; " +
                "`$n = @(Start-Trace -Event sched:sched_process_exec -Command /bin/true -SummaryVariable a -WarningAction SilentlyContinue).Count; " +
                "Start-Trace -Event sched:sched_process_exec -Command /bin/true -OutFile '$dat' -SummaryVariable b -WarningAction SilentlyContinue; " +
                "`"`$n|`$(`$a.Drainers)|`$((Get-TraceEvent '$dat').Count)|`$(`$b.Drainers)`""
            $psi = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
            foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            if ($managed) { $psi.Environment['LINUXTRACE_MANAGED_DRAINERS'] = '1' }
            $p = [Diagnostics.Process]::Start($psi)
            $out = $p.StandardOutput.ReadToEnd().Trim()
            $p.WaitForExit()
            $p.ExitCode | Should -Be 0
            $n, $how, $fileCount, $how2 = $out -split '\|'
            $n | Should -Be 1
            $fileCount | Should -Be 1
            if ($managed) { $how | Should -Be 'managed (LINUXTRACE_MANAGED_DRAINERS=1)'; $how2 | Should -Be $how }
            else { $how | Should -Be 'native'; $how2 | Should -Be 'native' }
        }
    }
}
