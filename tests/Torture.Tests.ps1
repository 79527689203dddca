# The torture loop: traces (streaming, -OutFile, -AsSession) in child processes, each ended a random way at a random
# moment: SIGKILL, SIGTERM, SIGINT, Select-Object -First, an exception thrown in the pipeline, Stop-Trace from
# another runspace, the traced program crashing. After each: the child's instance is gone (an orphan only after
# SIGKILL, removed by the next trace), finished files read back, losses were reported. After all: the kernel is as
# it was. LINUXTRACE_TORTURE_ITERATIONS sets how many (every combination once, then random ones); the seed is printed.
BeforeDiscovery {
    . $PSScriptRoot/KernelFeatures.ps1
}
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StateBefore = Get-KernelTraceState
    $script:Child = Join-Path $PSScriptRoot 'programs/torture-child.ps1'
    $script:Combos = @(
        foreach ($e in 'KILL', 'TERM', 'INT', 'First', 'Throw', 'StopRunspace', 'Crash') { @{ Mode = 'stream'; Ending = $e } }
        foreach ($e in 'KILL', 'TERM', 'INT', 'StopRunspace', 'Crash') { @{ Mode = 'file'; Ending = $e } }
        foreach ($e in 'KILL', 'TERM', 'INT', 'Throw', 'StopRunspace') { @{ Mode = 'session'; Ending = $e } }
    )
    $script:Iterations = [Math]::Max($Combos.Count, [int]("$env:LINUXTRACE_TORTURE_ITERATIONS" -as [int]))
    $script:Seed = if ($env:LINUXTRACE_TORTURE_SEED) { [int]$env:LINUXTRACE_TORTURE_SEED } else { Get-Random -Maximum 1000000 }
    # a busy machine: system calls and context switches all the time, so that every trace has plenty to do
    $script:Load = Start-Process stress-ng -ArgumentList '--null', '1', '--switch', '1', '-t', '900' -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'stress.out')
}
AfterAll {
    if ($script:Load -and -not $script:Load.HasExited) { $script:Load.Kill($true); $script:Load.WaitForExit() }
    Compare-KernelTraceState $script:StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
}

# (one level per feature: a skip is justified by the features named where it was asked for, every one of them missing)
Describe 'Torture' -Tag 'needs:trace-cmd' -Skip:(-not (Test-KernelFeature trace-cmd)) {
  Context 'under load' -Tag 'needs:stress-ng' -Skip:(-not (Test-KernelFeature stress-ng)) {
    It 'ends traces every way at random moments and leaves nothing behind' {
        Write-Host "torture: $Iterations iterations, seed $Seed (LINUXTRACE_TORTURE_SEED=$Seed repeats this run)"
        $rnd = [Random]::new($Seed)
        $order = @($Combos | Sort-Object { $rnd.Next() })
        while ($order.Count -lt $Iterations) { $order += $Combos[$rnd.Next($Combos.Count)] }
        $pwsh = Get-PwshCommand
        $problems = [System.Collections.Generic.List[string]]::new()
        $killed = [System.Collections.Generic.List[string]]::new()
        for ($i = 0; $i -lt $Iterations; $i++) {
            $c = $order[$i]
            $what = "iteration $i ($($c.Mode), $($c.Ending))"
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $dat = Join-Path $TestDrive "torture-$i.dat"
            # (env --default-signal: the signals sent below act as they do by default, however this run was started)
            $psi = [Diagnostics.ProcessStartInfo]::new('env')
            foreach ($a in @('--default-signal=HUP,INT,TERM') + $pwsh + @('-NoProfile', '-NonInteractive', '-File', $Child, '-Module', "$RepoRoot/LinuxTrace.psd1",
                    '-Mode', $c.Mode, '-Ending', $c.Ending, '-OutFile', $dat, '-Seed', ($Seed + $i))) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardInput = $true
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $p = [Diagnostics.Process]::Start($psi)
            $out = $p.StandardOutput.ReadToEndAsync()
            $err = $p.StandardError.ReadToEndAsync()
            try {
                # the trace is running (its instance has read events), unless it already ended on its own
                $inst = $null
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not $p.HasExited -and [DateTime]::UtcNow -lt $deadline) {
                    $inst = Get-ChildItem "$Tracefs/instances" -Directory -Name | Where-Object { $_ -like "linuxtrace-$($p.Id)-*" } | Select-Object -First 1
                    if ($inst -and (@((Get-TraceStatus -Instance $inst -ErrorAction SilentlyContinue).CpuStats | ForEach-Object { $_.ReadEvents + $_.Entries }) | Measure-Object -Sum).Sum -gt 0) { break }
                    Start-Sleep -Milliseconds 20
                }
                if ($c.Ending -in 'KILL', 'TERM', 'INT') {
                    if (-not $inst) { $problems.Add("${what}: the trace never started"); continue }
                    Start-Sleep -Milliseconds $rnd.Next(1500)
                    & kill "-$($c.Ending)" $p.Id
                }
                if (-not $p.WaitForExit(90000)) { $problems.Add("${what}: the child did not end"); continue }
            }
            finally { if (-not $p.HasExited) { $p.Kill($true); $p.WaitForExit() } }
            $stdout = $out.GetAwaiter().GetResult(); $stderr = $err.GetAwaiter().GetResult()
            # endings inside the child that let it finish its script: it exits 0 and prints its summary, which the loss
            # checks below read (a child that failed or printed none is a problem, never a skipped check)
            $summary = if ($stdout -match 'summary (\d+) (\d+) (\d+) (\d+)') { $Matches }
            if ($c.Ending -in 'First', 'StopRunspace', 'Crash' -and ($p.ExitCode -ne 0 -or -not $summary)) {
                $problems.Add("${what}: the child exited $($p.ExitCode) $(if ($summary) { 'with' } else { 'without' }) its summary: $stderr")
            }
            if ($c.Ending -eq 'TERM' -and $inst -and $p.ExitCode -ne 143) { $problems.Add("${what}: exit $($p.ExitCode) after SIGTERM, not 128 + 15") }
            $left = @(Get-ChildItem "$Tracefs/instances" -Directory -Name | Where-Object { $_ -like "linuxtrace-$($p.Id)-*" })
            if ($c.Ending -eq 'KILL') {
                # nothing of the owner ran: its instance stays, shown as an orphan, until the next trace
                foreach ($l in $left) { if (-not (Get-TraceInstance $l).IsOrphan) { $problems.Add("${what}: $l is not shown as an orphan") } else { $killed.Add($l) } }
            }
            elseif ($left) { $problems.Add("${what}: left $($left -join ', ') behind (exit $($p.ExitCode); $stderr)") }
            $expectFile = $c.Mode -eq 'file' -and $c.Ending -ne 'KILL'
            if ($expectFile) {
                if (-not (Test-Path $dat)) { $problems.Add("${what}: no file (exit $($p.ExitCode); $stderr)") }
                else {
                    try {
                        $info = Get-TraceFileInfo $dat
                        # trace-cmd reads its structure (reporting every event of a big file would take minutes)
                        $dump = & trace-cmd dump --summary -i $dat 2>&1 | Select-Object -Last 1
                        if ($LASTEXITCODE -ne 0) { $problems.Add("${what}: trace-cmd dump failed: $dump") }
                        if ($summary -and [long]$summary[1] -gt 0 -and ($info.CpuStats | Measure-Object Lost -Sum).Sum -eq 0) { $problems.Add("${what}: the file does not carry the losses") }
                    }
                    catch { $problems.Add("${what}: the file does not read back: $_") }
                }
            }
            # nothing but the finished file beside it: no per-CPU or temporary files, whatever the ending
            $stray = @(Get-ChildItem $TestDrive -File -Filter "torture-$i.dat*" | Where-Object Name -ne "torture-$i.dat")
            if ($stray) { $problems.Add("${what}: left $($stray.Name -join ', ')") }
            Write-Host ("  {0}: exit {1} after {2:N1} s" -f $what, $p.ExitCode, $clock.Elapsed.TotalSeconds)
            # losses are never silent: a trace that lost events said so (in the stream or a warning)
            if ($summary) {
                $lost = [long]$summary[1]; $dropped = [long]$summary[2]; $markers = [long]$summary[3]; $warned = [long]$summary[4]
                if (($lost + $dropped) -gt 0 -and $c.Ending -notin 'First', 'Throw' -and ($markers + $warned) -eq 0) { $problems.Add("${what}: $lost lost and $dropped dropped events went unreported") }
            }
        }
        # the next trace (the next iteration's, or this one) removes the killed owners' orphans
        Start-Trace -Event sched:sched_process_exec -Command /bin/true -WarningAction SilentlyContinue | Out-Null
        foreach ($k in $killed) { if (Test-Path "$Tracefs/instances/$k") { $problems.Add("the orphan $k was not removed by the next trace") } }
        $problems | Should -BeNullOrEmpty
        Compare-KernelTraceState $StateBefore (Get-KernelTraceState) | Should -BeNullOrEmpty
    }
  }
}
